using System.Text.Json.Nodes;
using Noether.Cli;
using Noether.Experiments;
using Noether.Sweeps;

namespace Noether.Tests.Sweeps;

[Collection("console")]
public class SweepPlanTests
{
    private static SweepSpec Spec(string json) => SweepSpec.Parse(JsonNode.Parse(json)!.AsObject());

    [Fact]
    public void Expands_axes_times_seeds_in_order_with_resolved_configs()
    {
        var m = SweepPlanner.Expand(Spec("""
            { "experiment": "noise-equilibrium", "profile": "quick",
              "set": { "seeds": 1, "scale": { "steps": 300 } },
              "axes": { "balance.lr": [0.01, 0.02], "balance.sgd_batch": [2, 4, 8] },
              "seeds": [5, 6] }
            """));
        Assert.Equal(12, m.Trials.Count);
        Assert.Equal(["balance.lr", "balance.sgd_batch", "seed"], m.AxisKeys);
        // First axis slowest, seeds innermost.
        var t = m.Trials[7]; // lr 0.02, batch 2, seed 6
        Assert.Equal(7, t.Index);
        Assert.Equal(6, t.Seed);
        Assert.Equal("07_balance.lr=0.02_balance.sgd_batch=2_seed=6", t.Name);
        Assert.Equal(0.02, t.Config["balance"]!["lr"]!.GetValue<double>());
        Assert.Equal(2, t.Config["balance"]!["sgd_batch"]!.GetValue<int>());
        Assert.Equal(300, t.Config["scale"]!["steps"]!.GetValue<int>());
        Assert.Equal(1, t.Config["seeds"]!.GetValue<int>());
        Assert.Equal(["seeds=1", "scale.steps=300", "balance.lr=0.02", "balance.sgd_batch=2"], t.Sets);
        Assert.Equal(m.Trials.Count, m.Trials.Select(x => x.Name).Distinct().Count());
    }

    [Fact]
    public void No_axes_gives_one_trial_per_seed()
    {
        var m = SweepPlanner.Expand(Spec("""{ "experiment": "noise-equilibrium", "seeds": [1, 2, 3] }"""));
        Assert.Equal([1L, 2, 3], m.Trials.Select(t => t.Seed));
        Assert.Equal("0_seed=1", m.Trials[0].Name);
    }

    [Theory]
    [InlineData("""{ "experiment": "no-such" }""", "unknown experiment 'no-such'")]
    [InlineData("""{ "experiment": "noise-equilibrium", "profile": "huge" }""", "profile 'huge'")]
    [InlineData("""{ "experiment": "noise-equilibrium", "axes": { "balance.nope": [1] } }""", "unknown config key 'balance.nope'")]
    [InlineData("""{ "experiment": "noise-equilibrium", "set": { "nope": 1 } }""", "unknown config key 'nope'")]
    [InlineData("""{ "experiment": "noise-equilibrium", "axes": { "balance.lr": [] } }""", "axis 'balance.lr' is empty")]
    [InlineData("""{ "experiment": "noise-equilibrium", "axes": { "balance.lr": ["fast"] } }""", "balance.lr=fast: expected a number")]
    [InlineData("""{ "experiment": "noise-equilibrium", "axes": { "balance.lr": [-1] } }""", "balance.lr=-1: out of range")]
    [InlineData("""{ "experiment": "noise-equilibrium", "axes": { "balance.lr": [0.1, 0.1] } }""", "lists the value 0.1 twice")]
    [InlineData("""{ "experiment": "noise-equilibrium", "axes": { "balance.lr": 0.1 } }""", "must be a list")]
    [InlineData("""{ "experiment": "noise-equilibrium", "seeds": [] }""", "'seeds' is empty")]
    [InlineData("""{ "experiment": "noise-equilibrium", "seeds": [1.5] }""", "seed 1.5: expected an integer")]
    [InlineData("""{ "experiment": "noise-equilibrium", "axis": {} }""", "unknown field 'axis'")]
    [InlineData("""{ "experiment": "noise-equilibrium", "set": { "balance.lr": 1 }, "axes": { "balance.lr": [2] } }""", "both in 'set' and in 'axes'")]
    public void Invalid_specs_are_rejected_with_one_line_naming_the_problem(string json, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => SweepPlanner.Expand(Spec(json)));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_combination_invalid_only_together_names_the_trial()
    {
        // sgd_batch 300 is fine with 512 samples, but not with 256.
        var e = Assert.Throws<ConfigException>(() => SweepPlanner.Expand(Spec("""
            { "experiment": "noise-equilibrium", "axes": { "balance.samples": [512, 256], "balance.sgd_batch": [4, 300] } }
            """)));
        Assert.Contains("trial balance.samples=256, balance.sgd_batch=300, seed=1", e.Message);
    }

    [Fact]
    public void Cli_plan_writes_the_manifest_once_and_rejects_bad_specs_before_writing()
    {
        string root = Directory.CreateTempSubdirectory("noether-sweep-").FullName;
        string spec = Path.Combine(root, "spec.json");
        File.WriteAllText(spec, """{ "experiment": "noise-equilibrium", "axes": { "balance.lr": [0.01, 0.02] }, "seeds": [1, 2] }""");
        string dir = Path.Combine(root, "sweep");
        Assert.Equal(Commands.Ok, Commands.Main(["sweep", "plan", spec, "--out", dir]));
        var m = SweepManifest.Load(dir);
        Assert.Equal(4, m.Trials.Count);
        var written = File.ReadAllText(Path.Combine(dir, SweepManifest.FileName));
        // Re-planning the same spec is a no-op; a different spec into the same folder is refused.
        Assert.Equal(Commands.Ok, Commands.Main(["sweep", "plan", spec, "--out", dir]));
        Assert.Equal(written, File.ReadAllText(Path.Combine(dir, SweepManifest.FileName)));
        File.WriteAllText(spec, """{ "experiment": "noise-equilibrium", "seeds": [1] }""");
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "plan", spec, "--out", dir]));
        Assert.Equal(written, File.ReadAllText(Path.Combine(dir, SweepManifest.FileName)));

        File.WriteAllText(spec, """{ "experiment": "noise-equilibrium", "axes": { "balance.sgd_batch": [4, 600] } }""");
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "plan", spec, "--out", Path.Combine(root, "bad")]));
        Assert.False(Directory.Exists(Path.Combine(root, "bad")));
        File.WriteAllText(spec, "{ not json");
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "plan", spec, "--out", Path.Combine(root, "bad")]));
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "plan", Path.Combine(root, "missing.json"), "--out", Path.Combine(root, "bad")]));
        Assert.False(Directory.Exists(Path.Combine(root, "bad")));
        Directory.Delete(root, true);
    }
}
