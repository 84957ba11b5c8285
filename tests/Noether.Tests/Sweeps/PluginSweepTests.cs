using System.Text.Json.Nodes;
using Noether.Cli;
using Noether.Experiments;
using Noether.Runs;
using Noether.Sweeps;

namespace Noether.Tests.Sweeps;

/// <summary>
/// An experiment defined in another assembly (tests/Noether.PluginFixture, loaded by file, never referenced by name)
/// is planned as a sweep and its trials run in fresh `noether sweep run-trial` processes, which load the assembly the
/// manifest names (docs/EXTENDING.md#an-experiment).
/// </summary>
[Collection("console")]
public class PluginSweepTests
{
    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Noether.PluginFixture.dll");

    [Fact]
    public void A_sweep_of_an_experiment_from_another_assembly_runs_its_trials_in_new_processes()
    {
        Assert.Equal(["plugin-tiny"], Plugins.Load(FixturePath));
        Assert.Equal(["plugin-tiny"], Plugins.Load(FixturePath)); // loading twice registers nothing twice
        Assert.NotNull(Registry.Find("plugin-tiny"));
        string root = SweepFixture.NewRoot();
        try
        {
            var spec = SweepSpec.Parse(JsonNode.Parse("""{ "experiment": "plugin-tiny", "set": { "steps": 200 }, "axes": { "lr": [0.05, 0.1] }, "seeds": [1] }""")!.AsObject());
            var m = SweepPlanner.Plan(spec, Path.Combine(root, "s"));
            Assert.Contains(Path.GetFullPath(FixturePath), m.Assemblies);
            Assert.Equal(Path.GetFullPath(FixturePath), SweepManifest.Load(m.Directory).Assemblies.Single(a => a.EndsWith("Noether.PluginFixture.dll", StringComparison.Ordinal)));
            foreach (var trial in m.Trials)
            {
                using var p = SweepFixture.StartTrial(m, trial.Index, 60);
                p.WaitForExit();
                Assert.Equal(0, p.ExitCode);
                var record = RunRecord.Load(m.TrialDirectory(trial));
                Assert.Equal(RunStatus.Completed, record.Status);
                Assert.Equal("plugin-tiny", record.Experiment);
                Assert.Contains(record.Claims, c => c.Id == "tiny.loss-falls");
            }
            Assert.NotEqual(File.ReadAllText(Path.Combine(m.TrialDirectory(m.Trials[0]), "metrics.csv")), File.ReadAllText(Path.Combine(m.TrialDirectory(m.Trials[1]), "metrics.csv")));
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void A_missing_or_unloadable_assembly_is_a_one_line_user_error()
    {
        string root = SweepFixture.NewRoot();
        try
        {
            var e = Assert.Throws<ConfigException>(() => Plugins.Load(Path.Combine(root, "nothing.dll")));
            Assert.StartsWith("--assembly ", e.Message);
            string junk = Path.Combine(root, "junk.dll");
            File.WriteAllText(junk, "not an assembly");
            Assert.Contains("not a loadable .NET assembly", Assert.Throws<ConfigException>(() => Plugins.Load(junk)).Message);
            Assert.Equal(Commands.UserError, Commands.Main(["--assembly", junk, "list"]));
            Assert.Equal(Commands.Ok, Commands.Main(["list", "--assembly", FixturePath]));
        }
        finally { Directory.Delete(root, true); }
    }
}
