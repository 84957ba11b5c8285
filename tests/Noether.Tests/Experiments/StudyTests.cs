using System.Text.Json.Nodes;
using Noether.Cli;
using Noether.Experiments;
using Noether.Runs;
using Noether.Sweeps;
using Noether.Tests.Data;

namespace Noether.Tests.Experiments;

/// <summary>
/// Studies (docs/studies.md): a run defined by a config file. Claims reduce a hand-made metrics set as documented; a
/// malformed study file is one line naming the field; a small study runs, names its phases and members by its axes,
/// resumes byte for byte and sweeps; the example studies of examples/studies run and compute their claims.
/// </summary>
[Collection("console")]
public class StudyTests
{
    private static string Root => Framework.DocumentationTests.FindRoot();

    /// <summary>A small study: 2 rules (2 phases) × 2 weight decays (per member) × 2 seeds, hebbian probe, three claims.</summary>
    private const string Small = """
        {
          "model": {"hidden": [16]},
          "teacher": {"input_dim": 8, "hidden": 4, "output_dim": 3, "samples": 256, "test_samples": 64, "noise": 0.1},
          "steps": 300, "batch": 16, "lr": 0.05, "log_every": 50, "seeds": 2,
          "probes": {"names": ["hebbian"], "every": 25},
          "axes": {"rule": ["backprop", "fa"], "weight_decay": [0, 0.03]},
          "claims": [
            {"id": "gain", "metric": "probe.hebbian", "layer": "l2", "steps": "mean_last:4", "where": {"rule": "fa"}, "difference": {"weight_decay": [0.03, 0]}, "at_least": 0.25},
            {"id": "learns", "kind": "check", "metric": "loss", "members": "mean", "within": [0, 10]},
            {"id": "test", "metric": "test_loss", "steps": "min", "at_most": 5}
          ]
        }
        """;

    private static string Write(string json)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("noether-study-").FullName, "study.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static RunResult Run(string configFile, string dir, string[]? sets = null, CheckpointSettings? checkpoints = null, bool resume = false) =>
        ExperimentRunner.Run(new RunRequest("study") { ConfigFile = resume ? null : configFile, Sets = sets ?? [], OutputDirectory = dir, Threads = 1, Checkpoints = checkpoints, Resume = resume,
            ConfigJson = resume ? RunRecord.Load(dir).Config : null });

    [Fact]
    public void Reproduce_runs_the_ten_papers_and_a_study_only_when_named()
    {
        Assert.DoesNotContain(Registry.All, e => e.Id == "study");
        Assert.Equal(10, Registry.All.Count);
        Assert.Equal("study", Registry.Get("study").Id);
        Assert.Contains(Registry.Studies, e => e.Id == "study");
    }

    /// <summary>Each reduction over steps and over members, a where and a difference, on a hand-made metrics set.</summary>
    [Fact]
    public void Claims_reduce_a_hand_made_metrics_set_as_documented()
    {
        var config = new Study.Config { Axes = JsonNode.Parse("""{"weight_decay": [0, 0.03]}""")!.AsObject() };
        var axes = StudyAxes.Parse(config);
        StudyMember Member(int m, long seed, double wd) => new("train", m, seed, new Dictionary<string, object> { ["weight_decay"] = wd });
        StudyMember[] members = [Member(0, 1, 0), Member(1, 2, 0), Member(2, 1, 0.03), Member(3, 2, 0.03)];
        // Series of probe.hebbian at l2, in step order, per member.
        double[][] series = [[0.0, 0.1, 0.05], [0.2, -0.1, -0.05], [0.1, 0.4, 0.5], [0.0, 0.3, 0.6]];
        IReadOnlyList<double> Series(StudyMember m, string metric, string layer) =>
            metric == "probe.hebbian" && layer == "l2" ? series[m.Member] : [];

        double Measure(string claim)
        {
            config.Probes.Names = ["hebbian"];
            config.Claims = new JsonArray(JsonNode.Parse(claim));
            return StudyClaims.Parse(config, axes).Single().Evaluate(members, Series).Measured;
        }
        const string H = "\"metric\": \"probe.hebbian\", \"layer\": \"l2\"";
        Assert.Equal(-0.05, Measure($$"""{{{H}}, "at_least": 0}"""), 12);                            // end, min over members
        Assert.Equal(0.6, Measure($$"""{{{H}}, "at_most": 1}"""), 12);                               // end, max over members
        Assert.Equal((0.05 + -0.05 + 0.5 + 0.6) / 4, Measure($$"""{{{H}}, "members": "mean", "at_least": 0}"""), 12);
        Assert.Equal((0.1 + 0.05) / 2, Measure($$"""{{{H}}, "steps": "mean_last:2", "where": {"weight_decay": 0}, "members": "max", "at_least": 0}"""), 12);
        Assert.Equal(0.2, Measure($$"""{{{H}}, "steps": "max", "where": {"weight_decay": 0}, "members": "max", "at_least": 0}"""), 12);
        Assert.Equal(-0.1, Measure($$"""{{{H}}, "steps": "min", "where": {"weight_decay": 0}, "at_least": 0}"""), 12);
        Assert.Equal(0.3, Measure($$"""{{{H}}, "steps": "mean", "where": {"weight_decay": 0.03}, "at_least": 0}"""), 12);
        Assert.Equal((1.0 / 3 + 0.3) / 2, Measure($$"""{{{H}}, "steps": "mean_last:99", "where": {"weight_decay": 0.03}, "members": "median", "within": [0, 1]}"""), 12);
        // Difference: per seed, value at 0.03 minus value at 0 — seed 1: 0.5 − 0.05, seed 2: 0.6 − (−0.05); smallest.
        Assert.Equal(0.45, Measure($$"""{{{H}}, "difference": {"weight_decay": [0.03, 0]}, "at_least": 0.25}"""), 12);
        Assert.Equal(0.05, Measure($$"""{{{H}}, "where": {"weight_decay": 0}, "members": "max_abs", "at_most": 0.1}"""), 12);
        // The verdict is Claim's: a non-finite member makes the claim fail.
        series[1] = [0.2, double.NaN];
        config.Claims = new JsonArray(JsonNode.Parse($$"""{"id": "x", "kind": "check", {{H}}, "at_most": 1}"""));
        var claim = StudyClaims.Parse(config, axes).Single().Evaluate(members, Series);
        Assert.True(double.IsNaN(claim.Measured));
        Assert.False(claim.Passed);
        Assert.Equal(ClaimKind.Check, claim.Kind);
        Assert.Contains("weight_decay=0/seed=2: NaN", claim.Details);
    }

    /// <summary>Malformed study files: one line naming the field and value, before anything runs (exit 2 on the command line).</summary>
    [Theory]
    [InlineData("""{"axes": {"weight_decya": [0, 1]}}""", "axes.weight_decya: unknown config key")]
    [InlineData("""{"axes": {"weight_decay": [0, -1]}}""", "axes.weight_decay: weight_decay=-1: out of range")]
    [InlineData("""{"axes": {"weight_decay": []}}""", "axes.weight_decay=[]: expected a non-empty list")]
    [InlineData("""{"axes": {"weight_decay": [0, 0.0]}}""", "axes.weight_decay: the value 0 is listed twice")]
    [InlineData("""{"axes": {"seeds": [1, 2]}}""", "axes.seeds: seeds cannot be an axis")]
    [InlineData("""{"axes": {"probes.every": [1, 2]}}""", "probes.every cannot be an axis")]
    [InlineData("""{"axes": {"rule": ["fa", "nope"]}}""", "axes.rule: rule.name=nope: expected one of backprop")]
    [InlineData("""{"axes": {"rule": ["fa"], "rule.name": ["kp"]}}""", "the key rule.name is an axis twice")]
    [InlineData("""{"axes": {"steps": {"a": {"lr": 1}}}}""", "axes.steps: steps is a config key")]
    [InlineData("""{"axes": {"arm": {"a": {"lr": -1}}}}""", "axes.arm.a: lr=-1: out of range")]
    [InlineData("""{"axes": {"arm": {"a": {"weight_decay": 0.1}}, "weight_decay": [0, 1]}}""", "axes.arm: its settings set weight_decay")]
    [InlineData("""{"axes": [1, 2]}""", "axes=[1,2]: expected a JSON object")]
    [InlineData("""{"claims": {"metric": "loss"}}""", "expected a JSON list")]
    [InlineData("""{"claims": [3]}""", "claims[0]=3: expected an object")]
    [InlineData("""{"claims": [{"metric": "loss"}]}""", "claims[0]: no threshold")]
    [InlineData("""{"claims": [{"at_most": 1}]}""", "claims[0]: no metric")]
    [InlineData("""{"claims": [{"metric": "los", "at_most": 1}]}""", "claims[0].metric=los: expected one of loss, test_loss")]
    [InlineData("""{"claims": [{"metric": "accuracy", "at_least": 0.5}]}""", "accuracy needs classification data")]
    [InlineData("""{"claims": [{"metric": "probe.hebbian", "layer": "l2", "at_least": 0.1}]}""", "needs the probe attached")]
    [InlineData("""{"probes": "hebbian", "claims": [{"metric": "probe.hebbian", "at_least": 0.1}]}""", "probe.hebbian is measured per layer")]
    [InlineData("""{"probes": "hebbian", "claims": [{"metric": "probe.hebbian", "layer": "l5", "at_least": 0.1}]}""", "claims[0].layer=\"l5\": expected one of l1, l2")]
    [InlineData("""{"claims": [{"metric": "loss", "layer": "l1", "at_most": 1}]}""", "loss is not per layer")]
    [InlineData("""{"claims": [{"metric": "loss", "steps": "last", "at_most": 1}]}""", "claims[0].steps=last: expected end, mean_last:K")]
    [InlineData("""{"claims": [{"metric": "loss", "steps": "mean_last:0", "at_most": 1}]}""", "claims[0].steps=mean_last:0")]
    [InlineData("""{"claims": [{"metric": "loss", "members": "worst", "at_most": 1}]}""", "claims[0].members=worst: expected min, max")]
    [InlineData("""{"claims": [{"metric": "loss", "within": [2, 1], "members": "mean"}]}""", "claims[0].within=[2, 1]: expected low ≤ high")]
    [InlineData("""{"claims": [{"metric": "loss", "within": [0, 1]}]}""", "\"within\" needs \"members\"")]
    [InlineData("""{"claims": [{"metric": "loss", "at_most": 1, "at_least": 0}]}""", "both at_least and at_most")]
    [InlineData("""{"claims": [{"metric": "loss", "at_most": "small"}]}""", "claims[0].at_most=\"small\": expected a number")]
    [InlineData("""{"claims": [{"metric": "loss", "at_most": 1, "colour": "red"}]}""", "claims[0].colour: unknown field")]
    [InlineData("""{"claims": [{"metric": "loss", "kind": "paper", "at_most": 1}]}""", "claims[0].kind=paper: expected claim or check")]
    [InlineData("""{"claims": [{"id": "a", "metric": "loss", "at_most": 1}, {"id": "a", "metric": "loss", "at_most": 1}]}""", "claims[1].id=a: another claim has this id")]
    [InlineData("""{"claims": [{"metric": "loss", "at_most": 1, "where": {"weight_decay": 0}}]}""", "claims[0].where.weight_decay: weight_decay is not an axis")]
    [InlineData("""{"axes": {"weight_decay": [0, 0.1]}, "claims": [{"metric": "loss", "at_most": 1, "where": {"weight_decay": 0.2}}]}""", "claims[0].where.weight_decay=0.2: not a value of the axis; expected one of 0, 0.1")]
    [InlineData("""{"axes": {"weight_decay": [0, 0.1]}, "claims": [{"metric": "loss", "at_most": 1, "difference": {"weight_decay": [0.1]}}]}""", "claims[0].difference=")]
    [InlineData("""{"axes": {"weight_decay": [0, 0.1]}, "claims": [{"metric": "loss", "at_most": 1, "difference": {"weight_decay": [0.1, 0.1]}}]}""", "the two values are equal")]
    [InlineData("""{"model": {"hidden": [0]}}""", "model.hidden=0: out of range")]
    [InlineData("""{"model": {"activation": "swish"}}""", "model.activation=swish: expected one of")]
    [InlineData("""{"teacher": {"kind": "quadratic"}}""", "teacher.kind=quadratic: expected one of tanh, linear")]
    [InlineData("""{"batch": 5000}""", "batch=5000: expected at most teacher.samples")]
    [InlineData("""{"probes": {"names": ["hebbian"], "layers": [3]}}""", "probes.layers=3: layer 3 does not exist")]
    [InlineData("""{"stepz": 10}""", "unknown config key 'stepz'")]
    [InlineData("""{"probes": {"names": ["crh"], "crh": {"layer": [2]}}, "claims": [{"metric": "probe.crh_mean", "layer": "l1", "at_least": 0.1}]}""", "claims[0].layer=l1: probes.crh.layer=2 does not measure it")]
    [InlineData("""{"probes": {"names": ["crh"], "crh": {"layers": [2]}}}""", "probes.crh.layers=2: probe 'crh' has no option 'layers'")]
    [InlineData("""{"axes": {"data.dir": ["/tmp/a", "/tmp/b"]}}""", "a value with '/' cannot name a phase")]
    [InlineData("""{"axes": {"arm": {"a b": {}}}}""", "axes.arm.a b: expected a setting name")]
    public void A_malformed_study_file_is_one_line_naming_the_field(string json, string expected)
    {
        string path = Write(json);
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(Registry.Get("study"), new RunRequest("study") { ConfigFile = path }));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        // On the command line: exit 2 and no run folder.
        string dir = Path.Combine(Path.GetDirectoryName(path)!, "run");
        Assert.Equal(Commands.UserError, Commands.Main(["run", "study", "--config", path, "--out", dir]));
        Assert.False(File.Exists(Path.Combine(dir, "run.json")));
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void Every_registered_probe_names_the_metrics_a_claim_may_read()
    {
        foreach (var probe in Noether.Probes.ProbeRegistry.All)
            Assert.NotEmpty(StudyClaims.MetricsOf(probe));
        Assert.Contains("crh_b_GW", StudyClaims.MetricsOf(Noether.Probes.ProbeRegistry.Find("crh")!));
    }

    [Fact]
    public void Axes_and_claims_take_set_overrides_and_json_text()
    {
        var config = (Study.Config)ExperimentRunner.ResolveConfig(Registry.Get("study"), new RunRequest("study")
        {
            Sets = ["axes.weight_decay=0,0.01", "axes.rule=backprop,fa", "probes=hebbian", """claims=[{"metric": "probe.hebbian", "layer": "l2", "at_least": 0.1}]"""],
        });
        var axes = StudyAxes.Parse(config);
        Assert.Equal(["weight_decay", "rule.name"], axes.Axes.Select(a => a.Key));
        Assert.Equal([0.0, 0.01], axes.Axes[0].Values.Cast<double>());
        Assert.Equal(["rule.name=backprop", "rule.name=fa"], axes.Groups(2).Select(g => g.Phase));
        Assert.Single(config.Claims);
        // run.json's config round-trips (what --resume applies).
        var again = new Study.Config();
        ConfigBinder.ApplyJson(again, ConfigBinder.ToJson(config));
        Assert.Equal(ConfigBinder.ToJson(config).ToJsonString(), ConfigBinder.ToJson(again).ToJsonString());
    }

    /// <summary>A small study runs: one phase per rule, members carry every axis, claims computed, figures per metric.</summary>
    [Fact]
    public void A_small_study_runs_with_phases_and_members_named_by_its_axes()
    {
        string path = Write(Small);
        string dir = Path.Combine(Path.GetDirectoryName(path)!, "run");
        var r = Run(path, dir);
        Assert.Equal(RunStatus.Completed, r.Record.Status);
        Assert.Null(r.Record.Paper);
        Assert.Equal(["gain", "learns", "test"], r.Claims.Select(c => c.Id));
        Assert.All(r.Claims, c => Assert.True(double.IsFinite(c.Measured), c.Id));
        Assert.Equal(ClaimKind.Check, r.Claims[1].Kind);
        Assert.Equal(8, r.Record.Members.Count);
        var fa = r.Record.Members.Where(m => (string)m["phase"]! == "rule.name=fa").ToList();
        Assert.Equal(4, fa.Count);
        Assert.All(fa, m => Assert.Equal("fa", (string)m["rule.name"]!));
        Assert.Equal([0.0, 0.0, 0.03, 0.03], fa.Select(m => (double)m["weight_decay"]!));
        Assert.Equal([1L, 2L, 1L, 2L], fa.Select(m => (long)m["seed"]!));
        Assert.Contains("study-loss", r.Record.Figures);
        Assert.Contains("study-probe-hebbian-l2", r.Record.Figures);
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    /// <summary>Stopped at two safe points and resumed each time, a study ends byte-identical to an uninterrupted run.</summary>
    [Fact]
    public void A_study_stopped_twice_and_resumed_ends_byte_identical()
    {
        string path = Write(Small);
        string root = Path.GetDirectoryName(path)!;
        var labels = new List<string>();
        var reference = Run(path, Path.Combine(root, "reference"), checkpoints: new CheckpointSettings { EverySeconds = 1e9, StopAt = l => { labels.Add(l); return false; } });
        Assert.True(labels.Count >= 4);
        string first = labels[labels.Count / 3], second = labels[2 * labels.Count / 3];
        string dir = Path.Combine(root, "resumed");
        Assert.Equal(RunStatus.Interrupted, Run(path, dir, checkpoints: new CheckpointSettings { EverySeconds = 0, StopAt = l => l == first }).Record.Status);
        Assert.Equal(RunStatus.Interrupted, Run(path, dir, checkpoints: new CheckpointSettings { EverySeconds = 0, StopAt = l => l == second }, resume: true).Record.Status);
        var resumed = Run(path, dir, checkpoints: new CheckpointSettings { EverySeconds = 0 }, resume: true);
        Assert.Equal(RunStatus.Completed, resumed.Record.Status);
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference.Directory, "metrics.csv")), File.ReadAllBytes(Path.Combine(dir, "metrics.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference.Directory, "figures.json")), File.ReadAllBytes(Path.Combine(dir, "figures.json")));
        Assert.Equal(reference.Record.Claims.Select(c => (c.Id, c.Measured, c.Details)), resumed.Record.Claims.Select(c => (c.Id, c.Measured, c.Details)));
        Assert.Equal(reference.Record.Members.Select(m => m.ToJsonString()), resumed.Record.Members.Select(m => m.ToJsonString()));
        Directory.Delete(root, true);
    }

    /// <summary>A sweep over a study key: the spec names the study file, each trial's --set list resolves to the planned config.</summary>
    [Fact]
    public void A_sweep_plans_trials_of_a_study_file()
    {
        string path = Write(Small);
        var spec = SweepSpec.Parse(JsonNode.Parse("""{"experiment": "study", "config": "study.json", "set": {"steps": 100}, "axes": {"lr": [0.01, 0.05]}, "seeds": [1, 2]}""")!.AsObject(),
            "spec", Path.GetDirectoryName(path));
        var manifest = SweepPlanner.Expand(spec);
        Assert.Equal(4, manifest.Trials.Count);
        foreach (var trial in manifest.Trials)
        {
            var config = ExperimentRunner.ResolveConfig(Registry.Get("study"), new RunRequest("study") { Sets = trial.Sets });
            Assert.True(JsonNode.DeepEquals(ConfigBinder.ToJson(config), trial.Config));
            Assert.Equal(3, ((Study.Config)config).Claims.Count);
            Assert.Equal(100, ((Study.Config)config).Steps);
        }
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    public static TheoryData<string> SyntheticExamples => new() { "crh-fa.json", "hebbian-syre.json" };

    /// <summary>Each example study runs and computes every claim it states (pass or fail is what examples/README.md reports).</summary>
    [Theory, Trait("Category", "Integration")]
    [MemberData(nameof(SyntheticExamples))]
    public void Example_study_runs_and_computes_its_claims(string file) => RunExample(file);

    [FashionMnistInstalledFact, Trait("Category", "Integration")]
    public void Fashion_mnist_example_study_runs_and_computes_its_claims() => RunExample("hebbian-dfa-fashion.json");

    private static void RunExample(string file)
    {
        string path = Path.Combine(Root, "examples", "studies", file);
        var stated = JsonNode.Parse(File.ReadAllText(path))!["claims"]!.AsArray().Select(c => (string)c!["id"]!).ToList();
        string dir = Directory.CreateTempSubdirectory("noether-example-").FullName;
        try
        {
            var r = Run(path, Path.Combine(dir, "run"));
            Assert.Equal(RunStatus.Completed, r.Record.Status);
            Assert.Equal(stated, r.Claims.Select(c => c.Id));
            Assert.All(r.Claims, c => Assert.True(double.IsFinite(c.Measured), $"{file}: {c.Id} measured {c.Measured}"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
