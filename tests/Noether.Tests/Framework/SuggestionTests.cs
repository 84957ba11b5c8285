using System.Diagnostics;
using Noether.Cli;

namespace Noether.Tests.Framework;

[Collection("console")]
public class SuggestionTests
{
    [Theory]
    [InlineData(new[] { "lst" }, "unknown command 'lst' for 'noether'; did you mean 'list'?")]
    [InlineData(new[] { "version" }, "unknown command 'version' for 'noether'; did you mean '--version'?")]
    [InlineData(new[] { "run", "noise-equilibrium", "--sed", "3" }, "unknown option '--sed' for 'noether run'; did you mean '--seed'?")]
    [InlineData(new[] { "sweep", "stat", "x" }, "unknown command 'stat' for 'noether sweep'; did you mean 'status'?")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate' for 'noether'; expected one of: list, run, reproduce, metric, report, sweep")]
    [InlineData(new string[0], "'noether' needs a command: list, run, reproduce, metric, report, sweep")]
    public void A_parse_error_names_the_unknown_word_and_the_nearest_name(string[] args, string expected)
    {
        var parse = Commands.Build().Parse(args);
        Assert.NotEmpty(parse.Errors);
        Assert.StartsWith(expected, Suggestions.Describe(parse));
    }

    [Fact]
    public void Short_version_flag_is_accepted_and_edit_distance_is_levenshtein()
    {
        Assert.Empty(Commands.Build().Parse(["-V"]).Errors);
        Assert.Equal(3, Suggestions.Distance("kitten", "sitting"));
        Assert.Null(Suggestions.Nearest("-x", ["-h", "--help"])); // one letter away from -h is a guess, not a typo
    }

    [Theory]
    [InlineData(typeof(string), "text", "any")]
    [InlineData(typeof(int[]), "list of integers", "any")]
    [InlineData(typeof(double), "number", "any")]
    public void Keys_list_types_and_ranges_in_words(Type type, string name, string allowed)
    {
        Assert.Equal(name, Commands.TypeName(type));
        Assert.Equal(allowed, Commands.Allowed(type, null));
        Assert.Equal("≥ 0", Commands.Allowed(typeof(double), new Noether.Experiments.ParamAttribute("x") { Min = 0 }));
        Assert.Equal("any", Commands.Allowed(typeof(string), new Noether.Experiments.ParamAttribute("x")));
    }

    [Fact]
    public void Plain_progress_prints_a_phase_when_it_starts_and_ends_not_every_step()
    {
        var output = new StringWriter();
        var progress = new PlainProgress(output, "exp");
        for (int i = 0; i <= 1000; i++) progress.Report("exp train", i, 1000);
        progress.Report("exp train", 1000, 1000);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("exp train: 0/1,000 (0%)", lines[0]);
        Assert.StartsWith("exp train: 1,000/1,000 (100%)", lines[1]);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    [InlineData("USR1", 138)]
    [Trait("Category", "Integration")]
    public async Task A_signal_saves_the_run_as_interrupted_and_exits_128_plus_its_number(string signal, int expected)
    {
        string dir = Path.Combine(Path.GetTempPath(), "noether-signal-" + Guid.NewGuid().ToString("N"));
        var cli = Noether.Tests.Sweeps.SweepFixture.Cli();
        var info = new ProcessStartInfo(cli.Program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in cli.PrefixArguments) info.ArgumentList.Add(a);
        foreach (var a in new[] { "run", "noise-equilibrium", "--set", "balance.sgd_steps=10000000", "--out", dir }) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        // Wait until training has started (run.json written), then signal.
        for (int i = 0; i < 600 && !File.Exists(Path.Combine(dir, "metrics.csv")); i++) Thread.Sleep(50);
        Thread.Sleep(500);
        using (var kill = Process.Start("kill", ["-" + signal, p.Id.ToString()])) kill.WaitForExit();
        Assert.True(p.WaitForExit(60_000), "noether did not stop within 60 s of the signal");
        Assert.Equal(expected, p.ExitCode);
        Assert.Equal(Noether.Runs.RunStatus.Interrupted, Noether.Runs.RunRecord.Load(dir).Status);
        Assert.Contains($"interrupted by SIG{signal}", await stderr);
        Assert.DoesNotContain("claims passed", await stdout);
        Directory.Delete(dir, true);
    }
}
