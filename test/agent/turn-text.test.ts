import { expect, test } from "bun:test";
import { TurnText } from "../../src/agent/turn-text.ts";

test("text streams through as it arrives", () => {
  const text = new TurnText();
  expect([text.push("Hel"), text.push("lo")]).toEqual([{ restart: false, show: "Hel" }, { restart: false, show: "lo" }]);
  expect(text.text).toBe("Hello");
});

test("a retry replaying the text already shown shows only what is new", () => {
  const text = new TurnText();
  text.push("The answer ");
  text.push("is ");
  text.newAttempt();
  const steps = ["The ", "answer is ", "42."].map((delta) => text.push(delta));
  expect(steps).toEqual([{ restart: false, show: "" }, { restart: false, show: "" }, { restart: false, show: "42." }]);
  expect(text.text).toBe("The answer is 42.");
});

test("a retry that says something else restarts the turn's text", () => {
  const text = new TurnText();
  text.push("Yes, ");
  text.newAttempt();
  expect(text.push("Ye")).toEqual({ restart: false, show: "" });
  expect(text.push("ah")).toEqual({ restart: true, show: "Yeah" });
  expect(text.push("!")).toEqual({ restart: false, show: "!" });
  expect(text.text).toBe("Yeah!");
});
