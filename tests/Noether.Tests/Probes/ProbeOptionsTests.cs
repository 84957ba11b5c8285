using Noether.Experiments;
using Noether.Nn;
using Noether.Probes;
using Noether.Runs;
using Noether.Tensors;
using Noether.Tests.Experiments;

namespace Noether.Tests.Probes;

/// <summary>
/// Per-probe options (<c>--set probes.&lt;probe&gt;.&lt;option&gt;=V</c>): each declared once by its probe, validated against
/// that declaration, saved in config.json, listed, and changing what the probe measures only when set.
/// </summary>
public class ProbeOptionsTests
{
    private static readonly string[] Attached = ["probes=crh,member-similarity,sharpness"];

    [Theory]
    [InlineData("probes.crh.layr=1", "probe 'crh' has no option 'layr'; its options: layer")]
    [InlineData("probes.nope.k=3", "unknown probe 'nope'")]
    [InlineData("probes.hebbian.k=3", "probe 'hebbian' has no options")]
    [InlineData("probes.member-similarity.k=0", "out of range, expected a value in [1, 1000]")]
    [InlineData("probes.member-similarity.k=2.5", "expected an integer")]
    [InlineData("probes.member-similarity.k=", "expected an integer")]
    [InlineData("probes.member-similarity.k=ten", "expected an integer")]
    [InlineData("probes.crh.layer=1,x", "'x' is not an integer")]
    [InlineData("probes.crh.layer=0", "out of range")]
    [InlineData("probes.sharpness.vectors=1", "expected a value in [2, 4096]")]
    [InlineData("probes.sharpness.exact_limit=-1", "out of range")]
    [InlineData("probes.rank.tolerance=2", "out of range, expected a value in [1E-15, 1]")]
    [InlineData("probes.rank.tolerance=1e-6", "probe 'rank' is not attached")]
    [InlineData("probes.crh=1", "unknown config key 'probes.crh'")]
    [InlineData("probes.crh.layer.x=1", "probe 'crh' has no option 'layer.x'")]
    public void A_malformed_probe_option_is_a_one_line_user_error_naming_key_and_value(string set, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(Registry.Get("crh"), new RunRequest("crh") { Sets = [.. Attached, set] }));
        Assert.Contains(expected, e.Message);
        Assert.Contains(set[..set.IndexOf('=')], e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_option_naming_a_layer_the_network_lacks_leaves_no_run_folder()
    {
        string dir = Directory.CreateTempSubdirectory("noether-probe-").FullName;
        try
        {
            string output = Path.Combine(dir, "run");
            var e = Assert.Throws<ConfigException>(() => ExperimentRunner.Run(new RunRequest("hebbian")
                { Sets = [.. ResumeEveryExperimentTests.Small["hebbian"], "probes=crh", "probes.crh.layer=2,9"], OutputDirectory = output, Threads = 1 }));
            Assert.StartsWith("probes.crh.layer=2,9: layer 9 does not exist", e.Message);
            Assert.False(Directory.Exists(output));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Options_are_listed_saved_in_config_json_and_read_back()
    {
        var config = (TrainedConfig)ExperimentRunner.ResolveConfig(Registry.Get("crh"),
            new RunRequest("crh") { Sets = [.. Attached, "probes.crh.layer=2", "probes.sharpness.vectors=4"] });
        var json = ConfigBinder.ToJson(config);
        Assert.Equal("[2]", json["probes"]!["crh"]!["layer"]!.ToJsonString());
        Assert.Equal(4, (int)json["probes"]!["sharpness"]!["vectors"]!);
        Assert.Null(json["probes"]!["member-similarity"]); // unset options are not written
        var back = (TrainedConfig)Registry.Get("crh").CreateConfig("quick");
        ConfigBinder.ApplyJson(back, json);
        Assert.Equal(json.ToJsonString(), ConfigBinder.ToJson(back).ToJsonString());
        Assert.Equal([2], (int[])back.Probes.OptionsOf("crh")["layer"]);
        // Every declared option is a key of every trained experiment, at its default until set.
        var keys = ConfigBinder.Describe(Registry.Get("hebbian").CreateConfig("quick")).ToDictionary(d => d.Key, d => d.Value);
        foreach (var probe in ProbeRegistry.All)
            foreach (var option in probe.Options)
                Assert.Equal(OptionSpec.Show(option.Default), OptionSpec.Show(keys[$"probes.{probe.Name}.{option.Name}"]));
        Assert.Null(ConfigBinder.ToJson(Registry.Get("crh").CreateConfig("quick"))["probes"]!["crh"]);
        Assert.Equal("probes.crh.layer", ConfigBinder.CanonicalKey(config, "probes.crh.layer"));
    }

    [Fact]
    public void A_set_option_changes_what_the_probe_measures()
    {
        // Rank: σ = 3, 2, 1, 1e-6; the numerical rank counts σ > tolerance·σ₁.
        var net = Mlp.Build<double>(1, [4, 4], "identity", bias: false);
        var w = net.Linears.First().Weight.Value.Span;
        w.Clear();
        (w[0], w[5], w[10], w[15]) = (3, 2, 1, 1e-6);
        net.Forward(new Tensor<double>(1, 2, 4)); // a view needs the trace of a forward pass
        double Rank(TrainingProbe p)
        {
            double r = double.NaN;
            p.Measure(ProbeView.Of(net, 0, 0), (_, name, value) => { if (name == "numerical_rank") r = value; });
            return r;
        }
        var rank = ProbeRegistry.Find("rank")!;
        Assert.Equal(3, Rank(rank));
        Assert.Equal(4, Rank(rank.With(new Dictionary<string, object> { ["tolerance"] = 1e-9 })));
        Assert.Equal(3, Rank(rank)); // the registry's instance keeps its defaults
        Assert.Throws<ArgumentException>(() => rank.With(new Dictionary<string, object> { ["tol"] = 1e-9 }));

        // CRH: layer=2 measures layer 2 alone, with the same values as without the option.
        var traced = Mlp.Build<double>(1, [3, 4, 2], "tanh", bias: false);
        traced.Initialize(InitScheme.LeCun, [new Rng(1)]);
        var x = new Tensor<double>(1, 6, 3);
        new Rng(2).FillNormal(x.Span, 0, 1);
        var y = traced.Forward(x);
        var dy = traced.OutputGradientBuffer(6);
        y.Span.CopyTo(dy.Span);
        traced.Backward(dy);
        var all = new List<(int, string, double)>();
        var only = new List<(int, string, double)>();
        var crh = ProbeRegistry.Find("crh")!;
        crh.Measure(ProbeView.Of(traced, 0, 0), (l, n, v) => all.Add((l, n, v)));
        crh.With(new Dictionary<string, object> { ["layer"] = new[] { 2 } }).Measure(ProbeView.Of(traced, 0, 0), (l, n, v) => only.Add((l, n, v)));
        Assert.Contains(all, r => r.Item1 == 1);
        Assert.Equal(all.Where(r => r.Item1 == 2), only);
    }

    /// <summary>
    /// Every option set to its declared default gives a run byte-identical to one that sets none (so unset options measure
    /// as before options existed); a changed k changes the mutual k-NN rows and nothing else.
    /// </summary>
    [Fact, Trait("Category", "Integration")]
    public void Unset_options_change_nothing_and_a_set_option_changes_only_its_probe_rows()
    {
        string[] probes = ["probes=crh,member-similarity,sharpness,rank,pah", "probes.every=500"];
        var plain = Run([.. probes]);
        var defaults = ProbeRegistry.All.Where(p => probes[0].Contains(p.Name, StringComparison.Ordinal))
            .SelectMany(p => p.Options.Select(o => $"probes.{p.Name}.{o.Name}={(o.Default is int[] { Length: 0 } ? "" : OptionSpec.Show(o.Default))}"));
        Assert.Equal(plain, Run([.. probes, .. defaults]));
        var k3 = Run([.. probes, "probes.member-similarity.k=3"]);
        var changed = plain.Split('\n').Zip(k3.Split('\n')).Where(p => p.First != p.Second).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, p => Assert.Contains(",probe.member_mknn,", p.First));
        Assert.Equal(plain.Split('\n').Length, k3.Split('\n').Length);
    }

    private static string Run(string[] sets)
    {
        string dir = Directory.CreateTempSubdirectory("noether-probe-").FullName;
        try
        {
            var r = ExperimentRunner.Run(new RunRequest("crh") { Sets = [.. ResumeEveryExperimentTests.Small["crh"], .. sets], OutputDirectory = Path.Combine(dir, "run"), Threads = 1 });
            Assert.Equal(RunStatus.Completed, r.Record.Status);
            return File.ReadAllText(Path.Combine(r.Directory, "metrics.csv"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
