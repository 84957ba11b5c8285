using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Noether.Cli;
using Noether.Experiments;
using Noether.Reports;
using Noether.Sweeps;
using Noether.Tests.Sweeps;

namespace Noether.Tests.Reports;

[Collection("console")]
public class SweepReportTests
{
    /// <summary>Two axes (a ∈ {1, 10}, b ∈ {x, y}) × seeds 1, 2; claim C measured a·seed (≥ 5 passes), claim D always 1 (≤ 0 fails).</summary>
    private static List<SweepPoint> Points()
    {
        var points = new List<SweepPoint>();
        int index = 0;
        foreach (var a in new[] { 1.0, 10.0 })
            foreach (var b in new[] { "x", "y" })
                foreach (var seed in new[] { 1, 2 })
                {
                    var trial = new Trial { Index = index++, Seed = seed, Axes = new JsonObject { ["a"] = a, ["b"] = b } };
                    points.Add(new SweepPoint(trial, [Claim.AtLeast("C", "c", a * seed, 5), Claim.AtMost("D", "d", 1, 0)], new Dictionary<string, double> { ["loss"] = a }));
                }
        return points;
    }

    [Fact]
    public void Claim_figures_plot_the_mean_and_sample_sd_over_seeds_with_the_threshold_and_pass_rate()
    {
        var figures = SweepFigures.ClaimsAgainstAxes(["a", "b"], Points());
        Assert.Equal(["claim-C-vs-a", "claim-C-vs-b", "claim-D-vs-a", "claim-D-vs-b"], figures.Select(f => f.Id));
        var cA = figures[0];
        Assert.True(cA.LogX); // 1 and 10: a decade
        var bx = cA.Series.Single(s => s.Name == "b=x");
        Assert.Equal([1.0, 10.0], bx.X);
        Assert.Equal([1.5, 15], bx.Y);                        // mean of a·1 and a·2
        Assert.Equal(Math.Sqrt(0.5), bx.Spread![0], 12);     // sample sd of {1, 2}
        Assert.Equal(Math.Sqrt(50), bx.Spread![1], 12);      // of {10, 20}
        var threshold = cA.Series.Single(s => s.Style == "reference");
        Assert.Equal([5.0, 5.0], threshold.Y);
        Assert.Contains("Passed at a = 1: 0/4; 10: 4/4.", cA.Caption);
        var cB = figures[1];
        Assert.Equal(["x", "y"], cB.Categories!);
        Assert.Equal([0.0, 1.0], cB.Series.Single(s => s.Name == "a=1").X);
    }

    [Fact]
    public void The_pass_rate_map_pools_every_claim_and_seed_and_metrics_use_their_final_value()
    {
        var rate = SweepFigures.PassRate(["a", "b"], Points())!;
        // At a = 1 nothing passes; at a = 10 claim C passes on both seeds and D never: 2 of 4 verdicts.
        Assert.Equal([[0.0, 0.5], [0.0, 0.5]], rate.Z!);
        Assert.Equal([0.0, 1.0], rate.ZRange!);
        Assert.Null(SweepFigures.PassRate(["a"], Points()));
        var loss = SweepFigures.MetricsAgainstAxes(["a"], Points(), ["loss"]).Single();
        Assert.Equal([1.0, 10.0], loss.Series.Single().Y);
        Assert.DoesNotContain(loss.Series, s => s.Style == "reference");
    }

    [ChromiumInstalledFact]
    [Trait("Category", "Browser")]
    public void A_two_axis_sweep_gets_a_report_with_a_claim_against_axis_plot_per_claim_and_linked_trial_reports()
    {
        string root = SweepFixture.NewRoot();
        var m = SweepFixture.Plan(root, "s", $$"""
            { "experiment": "noise-equilibrium", "set": {{SweepFixture.TinySet}},
              "axes": { "balance.lr": [0.01, 0.02], "balance.sgd_batch": [2, 4] }, "seeds": [1] }
            """);
        for (int i = 0; i < m.Trials.Count; i++) Assert.Equal(Commands.Ok, Commands.Main(["sweep", "run-trial", m.Directory, "--index", i.ToString()]));
        Assert.All(m.Trials, t => Assert.True(File.Exists(Path.Combine(m.TrialDirectory(t), ReportHtml.FileName)), t.Name));
        Assert.Equal(Commands.Ok, Commands.Main(["report", m.Directory]));

        string report = Path.Combine(m.Directory, ReportHtml.FileName);
        int claims = Noether.Runs.RunRecord.Load(m.TrialDirectory(m.Trials[0])).Claims.Count;
        string probed = Path.Combine(m.Directory, "probed.html");
        File.WriteAllText(probed, File.ReadAllText(report).Replace("</body>", """
            <script>
            window.addEventListener('load', () => {
              const images = Array.from(document.images);
              const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).length;
              const claimPlots = document.querySelectorAll('figure[id^="fig-claim-"]').length;
              const links = document.querySelectorAll('#trials-table a').length;
              document.body.setAttribute('data-check', `images=${images.length};broken=${broken};claimplots=${claimPlots};links=${links}`);
            });
            </script></body>
            """));
        string dom = BrowserTests.RunChromium("--dump-dom", "--virtual-time-budget=10000", new Uri(probed).AbsoluteUri);
        var check = Regex.Match(dom, "data-check=\"images=(\\d+);broken=(\\d+);claimplots=(\\d+);links=(\\d+)\"");
        Assert.True(check.Success, dom[..Math.Min(dom.Length, 400)]);
        Assert.Equal(1 + 2 * claims, int.Parse(check.Groups[1].Value)); // pass-rate map + each claim against each of two axes
        Assert.Equal(0, int.Parse(check.Groups[2].Value));
        Assert.Equal(2 * claims, int.Parse(check.Groups[3].Value));
        Assert.Equal(m.Trials.Count, int.Parse(check.Groups[4].Value));
        Assert.True(File.Exists(Path.Combine(m.Directory, "plots", "pass-rate.svg")));
        Directory.Delete(root, true);
    }
}
