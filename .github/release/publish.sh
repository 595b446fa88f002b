#!/bin/sh
# Commits one generated file to a package repository: the Homebrew tap (OWNER/homebrew-tap,
# Formula/tether.rb) or the Scoop bucket (OWNER/scoop-bucket, bucket/tether.json).
#
#   PUBLISH_TOKEN=... sh .github/release/publish.sh OWNER/REPO SOURCE DEST MESSAGE
#
# Without PUBLISH_TOKEN it prints a GitHub notice and succeeds: a fork, or a project that has not
# set up its tap yet, still gets its GitHub release. PUBLISH_GIT_BASE replaces
# https://x-access-token:TOKEN@github.com (the tests use a local directory).
set -eu
[ $# -eq 4 ] || { echo "usage: publish.sh OWNER/REPO SOURCE DEST MESSAGE" >&2; exit 2; }
repo=$1 source=$2 dest=$3 message=$4
if [ -z "${PUBLISH_TOKEN:-}" ]; then
  echo "::notice::no token for $repo: $dest was not published (see README, Releases)"
  exit 0
fi
[ -f "$source" ] || { echo "error: $source does not exist" >&2; exit 1; }
source=$(cd "$(dirname "$source")" && pwd)/$(basename "$source")
base=${PUBLISH_GIT_BASE:-https://x-access-token:${PUBLISH_TOKEN}@github.com}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet "$base/$repo.git" "$work/repo"
mkdir -p "$work/repo/$(dirname "$dest")"
cp "$source" "$work/repo/$dest"
cd "$work/repo"
git add "$dest"
if git diff --cached --quiet; then
  echo "$repo: $dest is already up to date"
  exit 0
fi
git -c user.name="github-actions[bot]" -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
  commit --quiet -m "$message"
git push --quiet origin HEAD
echo "published $dest to $repo"
