using Noether.Experiments;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Runs;
using Noether.Tensors;
using Noether.Tests.Experiments;
using Noether.Training;

namespace Noether.Tests.Probes;

/// <summary>
/// Attachable training probes (docs/probes.md#attachable-probes): known values on a tiny network, every registered
/// probe on experiments of two clusters, and probes that observe without perturbing the run.
/// </summary>
public class TrainingProbeTests
{
    /// <summary>A 2-member 3-4-2 linear net after one forward and backward pass on a fixed batch.</summary>
    private static Sequential<double> TracedNet(bool feedbackIsW = false)
    {
        var net = Mlp.Build<double>(2, [3, 4, 2], "identity", bias: false);
        net.Initialize(InitScheme.LeCun, [new Rng(1), new Rng(2)]);
        if (feedbackIsW) foreach (var l in net.Linears) l.Feedback = l.Weight.Value.Clone();
        var x = new Tensor<double>(2, 5, 3);
        new Rng(3).FillNormal(x.Span, 0, 1);
        var y = net.Forward(x);
        var dy = net.OutputGradientBuffer(5);
        y.Span.CopyTo(dy.Span);
        net.Backward(dy);
        return net;
    }

    private static Dictionary<(int, string), double> Measure(TrainingProbe probe, Sequential<double> net, int member)
    {
        var values = new Dictionary<(int, string), double>();
        probe.Measure(ProbeView.Of(net, member, 0), (layer, name, value) => values[(layer, name)] = value);
        return values;
    }

    [Fact]
    public void Weight_norm_and_feedback_alignment_have_their_known_values()
    {
        var net = TracedNet(feedbackIsW: true);
        var w1 = net.Linears.First().Weight.Value.SliceSpan(1).ToArray();
        var norms = Measure(ProbeRegistry.Find("weight-norm")!, net, 1);
        Assert.Equal(Math.Sqrt(w1.Sum(v => v * v)), norms[(1, "weight_norm")], 12);
        var g1 = net.Linears.First().Weight.Grad.SliceSpan(1).ToArray();
        Assert.Equal(Math.Sqrt(g1.Sum(v => v * v)), norms[(1, "signal_norm")], 12);
        var fa = Measure(ProbeRegistry.Find("feedback-alignment")!, net, 0);
        Assert.Equal(1.0, fa[(1, "feedback_alignment")], 12);
        Assert.Equal(1.0, fa[(2, "feedback_alignment")], 12);
        Assert.Empty(Measure(ProbeRegistry.Find("feedback-alignment")!, TracedNet(), 0)); // no feedback matrix, no rows
    }

    [Fact]
    public void Backprop_is_its_own_reference_and_charges_are_row_minus_column_norms()
    {
        var net = TracedNet();
        var g = Measure(ProbeRegistry.Find("gradient-alignment")!, net, 1);
        foreach (int l in new[] { 1, 2 })
        {
            Assert.Equal(1.0, g[(l, "phi_hat")], 10);
            Assert.Equal(1.0, g[(l, "update_alignment")], 10);
        }
        var w = MemberSlice.ToDouble(net.Linears.First().Weight.Value, 0);
        var u = MemberSlice.ToDouble(net.Linears.Last().Weight.Value, 0);
        var charges = Enumerable.Range(0, 4).Select(i => Math.Abs(Enumerable.Range(0, 3).Sum(j => w[i, j] * w[i, j]) - Enumerable.Range(0, 2).Sum(o => u[o, i] * u[o, i]))).ToArray();
        var c = Measure(ProbeRegistry.Find("charge")!, net, 0);
        Assert.Equal(charges.Average(), c[(1, "charge_mean_abs")], 12);
        Assert.Equal(charges.Max(), c[(1, "charge_max_abs")], 12);
        // A feedback rule's signal is not backprop's: with B = −W at the top layer the error delivered below flips sign.
        var fa = TracedNet();
        var top = fa.Linears.Last();
        top.Feedback = top.Weight.Value.Clone();
        var fs = top.Feedback.Span;
        for (int i = 0; i < fs.Length; i++) fs[i] = -fs[i];
        var x = new Tensor<double>(2, 5, 3);
        new Rng(3).FillNormal(x.Span, 0, 1);
        var y = fa.Forward(x);
        var dy = fa.OutputGradientBuffer(5);
        y.Span.CopyTo(dy.Span);
        fa.Backward(dy);
        Assert.Equal(-1.0, Measure(ProbeRegistry.Find("gradient-alignment")!, fa, 0)[(1, "phi_hat")], 10);
    }

    [Fact]
    public void Hebbian_probe_is_the_alignment_of_minus_the_gradient_with_hb_haT()
    {
        var net = TracedNet();
        var t = net.Trace[0];
        var signal = MemberSlice.ToDouble(net.Linears.First().Weight.Grad, 0);
        Negate(signal);
        double expected = HebbianAlignment.LayerAlignment(signal, MemberSlice.ToDouble(t.Input, 0), MemberSlice.ToDouble(t.PreActivation, 0));
        Assert.Equal(expected, Measure(ProbeRegistry.Find("hebbian")!, net, 0)[(1, "hebbian")], 12);
    }

    private static void Negate(Tensor<double> t) { var s = t.Span; for (int i = 0; i < s.Length; i++) s[i] = -s[i]; }

    [Fact]
    public void Probe_names_are_unique_and_described()
    {
        var all = ProbeRegistry.All;
        Assert.True(all.Count >= 6);
        Assert.Equal(all.Count, all.Select(p => p.Name).Distinct().Count());
        Assert.All(all, p => Assert.False(string.IsNullOrWhiteSpace(p.Description)));
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(Registry.Get("crh"), new RunRequest("crh") { Sets = ["probes=hebian"] }));
        Assert.Contains("hebbian", e.Message);
    }

    [Fact]
    public void A_probe_layer_the_network_lacks_is_a_one_line_user_error_without_a_run_folder()
    {
        string dir = Directory.CreateTempSubdirectory("noether-probe-").FullName;
        try
        {
            string output = Path.Combine(dir, "run");
            var e = Assert.Throws<ConfigException>(() => ExperimentRunner.Run(new RunRequest("hebbian")
                { Sets = [.. ResumeEveryExperimentTests.Small["hebbian"], "probes=hebbian", "probes.layers=1,9"], OutputDirectory = output, Threads = 1 }));
            Assert.Contains("layer 9 does not exist", e.Message);
            Assert.Contains("(valid: 1–", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.False(Directory.Exists(output));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Docs_reference_page_is_generated_from_the_registries()
    {
        string path = Path.Combine(Framework.DocumentationTests.FindRoot(), "docs", "reference.md");
        string expected = ReferencePage.Markdown();
        if (Environment.GetEnvironmentVariable("NOETHER_UPDATE_DOCS") == "1") File.WriteAllText(path, expected);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == expected,
            "docs/reference.md differs from the registries: run NOETHER_UPDATE_DOCS=1 dotnet test --filter Docs_reference_page");
    }

    /// <summary>
    /// Every probe attached to a symmetry experiment (crh) and a plasticity one (self-assembly) logs finite values, and
    /// the run's own rows are byte-identical to a run without probes: probes observe, never perturb.
    /// </summary>
    [Theory, Trait("Category", "Integration")]
    [InlineData("crh")]
    [InlineData("self-assembly")]
    [InlineData("hebbian")]
    public void Every_probe_attaches_and_observes_without_perturbing(string id)
    {
        string names = string.Join(",", ProbeRegistry.Names);
        var without = Run(id, []);
        var with = Run(id, [$"probes={names}", "probes.every=100"]);
        var lines = with.Split('\n');
        Assert.Equal(without, string.Join('\n', lines.Where(l => !l.Contains($",{ProbesConfig.Prefix}", StringComparison.Ordinal))));
        var probeRows = lines.Where(l => l.Contains($",{ProbesConfig.Prefix}", StringComparison.Ordinal)).ToList();
        // feedback-alignment needs a feedback matrix (self-assembly's rules); member-similarity two members in a phase (self-assembly's small run has one per rule).
        foreach (var probe in ProbeRegistry.All.Where(p => (p.Name != "feedback-alignment" || id == "self-assembly") && (p.Name != "member-similarity" || id != "self-assembly")))
            Assert.Contains(probeRows, l => l.Contains($",{ProbesConfig.Prefix}{FirstMetric(probe)},", StringComparison.Ordinal));
        Assert.All(probeRows, l => Assert.True(double.IsFinite(double.Parse(l[(l.LastIndexOf(',') + 1)..], System.Globalization.CultureInfo.InvariantCulture)), l));
    }

    private static string FirstMetric(TrainingProbe probe) => StudyClaims.MetricsOf(probe)[0];

    private static string Run(string id, string[] sets)
    {
        string dir = Directory.CreateTempSubdirectory("noether-probe-").FullName;
        try
        {
            var r = ExperimentRunner.Run(new RunRequest(id) { Sets = [.. ResumeEveryExperimentTests.Small[id], .. sets], OutputDirectory = Path.Combine(dir, "run"), Threads = 1 });
            Assert.Equal(RunStatus.Completed, r.Record.Status);
            return File.ReadAllText(Path.Combine(r.Directory, "metrics.csv"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
