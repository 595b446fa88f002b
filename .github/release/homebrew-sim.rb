# Installs a generated formula the way Homebrew would, without Homebrew: a stand-in for the small
# part of the Formula DSL tether.rb uses, run against a staged download.
#
#   ruby .github/release/homebrew-sim.rb dist/tether.rb DOWNLOAD_DIR PREFIX
#
# Homebrew stages a download that is not an archive by copying it into an empty directory with
# mode 0644 and running `install` there; generate_completions_from_executable then runs the
# installed file (Utils.safe_popen_read), which fails with Errno::EACCES unless the formula made
# it executable. This script does the same, checks the sha256 as `brew fetch` does, and runs the
# formula's `test do` block.
require "digest"
require "fileutils"
require "open3"
require "pathname"
require "tmpdir"

formula_path, download_dir, prefix = ARGV
abort "usage: ruby homebrew-sim.rb FORMULA DOWNLOAD_DIR PREFIX" unless prefix

HOST_OS = RUBY_PLATFORM.include?("darwin") ? :macos : :linux
HOST_ARM = RbConfig::CONFIG["host_cpu"].match?(/arm|aarch64/)

class Formula
  class << self
    attr_reader :stable_url, :stable_sha256, :test_block

    def desc(text) = (@desc = text)
    def homepage(text) = (@homepage = text)
    def version(text = nil) = text ? (@version = text) : @version
    def license(text) = (@license = text)
    def url(text) = (@stable_url = text)
    def sha256(text) = (@stable_sha256 = text)
    def on_macos = (yield if HOST_OS == :macos)
    def on_linux = (yield if HOST_OS == :linux)
    def on_arm = (yield if HOST_ARM)
    def on_intel = (yield unless HOST_ARM)
    def test(&block) = (@test_block = block)

    def inherited(subclass)
      super
      $formula_class = subclass
    end
  end

  # Pathname#install as Homebrew defines it: move, optionally renaming with { from => to }.
  module Installable
    def install(*sources)
      mkpath
      sources.each do |source|
        pairs = source.is_a?(Hash) ? source : { source => File.basename(source) }
        pairs.each { |from, to| FileUtils.mv(from, join(to.to_s)) }
      end
    end
  end

  attr_reader :prefix

  def initialize(prefix) = (@prefix = Pathname(prefix))
  def version = self.class.version
  def bin = (prefix/"bin").extend(Installable)
  def chmod(mode, file) = FileUtils.chmod(mode, file)
  def bash_completion = prefix/"etc/bash_completion.d"
  def zsh_completion = prefix/"share/zsh/site-functions"
  def fish_completion = prefix/"share/fish/vendor_completions.d"

  # As in Homebrew's Formula#generate_completions_from_executable (shell_parameter_format nil).
  def generate_completions_from_executable(*commands, shells: [:bash, :zsh, :fish])
    base_name = File.basename(commands.first.to_s)
    paths = { bash: bash_completion/base_name, zsh: zsh_completion/"_#{base_name}", fish: fish_completion/"#{base_name}.fish" }
    shells.each do |shell|
      out, status = Open3.capture2({ "SHELL" => shell.to_s }, *commands.map(&:to_s), shell.to_s)
      raise "#{commands.join(" ")} #{shell} exited #{status.exitstatus}" unless status.success?
      paths[shell].dirname.mkpath
      paths[shell].write(out)
    end
  end

  def shell_output(cmd)
    out, status = Open3.capture2(cmd)
    raise "#{cmd} exited #{status.exitstatus}" unless status.success?
    out
  end

  def assert_match(expected, actual)
    raise "expected #{actual.inspect} to match #{expected.inspect}" unless actual.match?(expected)
  end
end

load formula_path
klass = $formula_class
file = File.basename(klass.stable_url)
download = File.join(download_dir, file)
actual = Digest::SHA256.file(download).hexdigest
abort "sha256 mismatch for #{file}: formula #{klass.stable_sha256}, file #{actual}" unless actual == klass.stable_sha256

Dir.mktmpdir("homebrew-stage-") do |stage|
  staged = File.join(stage, file)
  FileUtils.cp(download, staged)
  File.chmod(0o644, staged)
  formula = klass.new(prefix)
  Dir.chdir(stage) { formula.install }
  formula.instance_eval(&klass.test_block)
  puts "installed #{file} as #{formula.bin/"tether"} with bash, zsh and fish completions; test passed"
end
