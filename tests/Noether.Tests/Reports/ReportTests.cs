using System.Text.RegularExpressions;
using Noether.Cli;
using Noether.Experiments;
using Noether.Reports;
using Noether.Runs;
using Noether.Tensors;

namespace Noether.Tests.Reports;

[Collection("console")]
public class ReportTests
{
    [Fact]
    public void Report_holds_paper_claims_figures_config_and_timings_in_one_file()
    {
        string dir = ReportFixtures.WriteRun(ReportFixtures.TempDir("report"), ReportFixtures.EveryKind());
        var output = RunReport.Build(dir);
        string html = File.ReadAllText(output.ReportPath);

        Assert.Contains("Parameter Symmetry and Noise Equilibrium of Stochastic Gradient Descent", html);
        Assert.Contains("https://arxiv.org/abs/2402.07193", html);
        Assert.Contains($"id=\"{ReportHtml.ClaimsTableId}\"", html);
        Assert.Contains("SGD balances the layers", html);
        // Verdicts are recomputed from the numbers: 0.07 <= 0.2 passes, 3 >= 5 fails.
        Assert.Matches(new Regex("H-a.imbalance.*?class=\"pass\">PASS", RegexOptions.Singleline), html);
        Assert.Matches(new Regex("H-b.growth.*?class=\"fail\">FAIL", RegexOptions.Singleline), html);
        Assert.Contains("1/2 paper claims passed</strong>", html);
        Assert.Contains("balance.sgd_steps", html);
        Assert.Contains("train", html);
        // Self-contained: every figure is a PNG data URI, nothing is fetched.
        var images = Regex.Matches(html, "<img [^>]*src=\"([^\"]*)\"");
        Assert.Equal(5, images.Count);
        foreach (Match m in images)
        {
            Assert.StartsWith("data:image/png;base64,", m.Groups[1].Value);
            var png = Convert.FromBase64String(m.Groups[1].Value["data:image/png;base64,".Length..]);
            Assert.True(ReportFixtures.PngSize(png).Width > 0);
        }
        Assert.DoesNotMatch("(src|href)=\"(?!data:|https://arxiv.org/|#)", html.Replace("href=\"summary.md\"", ""));
        Assert.Equal(5, output.Plots.Count);
        Assert.All(output.Plots, p => Assert.True(File.Exists(p)));
        Assert.Equal(2, output.EventFiles.Count);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_failed_run_shows_its_status_and_error_and_a_bad_figure_does_not_sink_the_report()
    {
        var figures = ReportFixtures.EveryKind();
        figures.Add(new Figure("broken", "Broken", "bar", "x", "y")); // a bar figure without categories
        string dir = ReportFixtures.WriteRun(ReportFixtures.TempDir("failed"), figures, RunStatus.Failed);
        File.WriteAllText(Path.Combine(dir, "error.txt"), "System.InvalidOperationException: boom\n   at Somewhere()");
        var output = RunReport.Build(dir);
        string html = File.ReadAllText(output.ReportPath);
        Assert.Equal(1, output.FiguresNotDrawn);
        Assert.Contains("Could not draw this figure", html);
        Assert.Contains("InvalidOperationException: boom", html);
        Assert.Contains("at Somewhere()", html);
        Assert.Contains("class=\"status bad\">failed", html);
        Assert.Equal(5, Regex.Matches(html, "<img ").Count);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_run_that_stopped_before_declaring_figures_shows_its_metrics()
    {
        string dir = ReportFixtures.WriteRun(ReportFixtures.TempDir("interrupted"), [], RunStatus.Interrupted);
        File.Delete(Path.Combine(dir, "figures.json"));
        var output = RunReport.Build(dir);
        string html = File.ReadAllText(output.ReportPath);
        // The fixture logs two metrics (sgd/imbalance and loss) for two members.
        Assert.Equal(2, output.Plots.Count);
        Assert.Equal(2, Regex.Matches(html, "<img ").Count);
        Assert.Contains("ended before declaring its figures", html);
        Assert.Contains("class=\"status bad\">interrupted", html);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Report_command_rebuilds_from_disk_the_same_plots()
    {
        string dir = ReportFixtures.WriteRun(ReportFixtures.TempDir("rebuild"), ReportFixtures.EveryKind());
        var first = RunReport.Build(dir).Plots.ToDictionary(p => p, File.ReadAllBytes);
        File.Delete(Path.Combine(dir, "report.html"));
        Directory.Delete(Path.Combine(dir, "plots"), true);
        Assert.Equal(Commands.Ok, Commands.Main(["report", dir]));
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));
        foreach (var (path, bytes) in first) Assert.Equal(bytes, File.ReadAllBytes(path));
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("no-run-json")]
    [InlineData("bad-run-json")]
    [InlineData("bad-figures-json")]
    public void Report_command_on_a_missing_or_malformed_folder_is_one_line_and_exit_2(string kind)
    {
        string dir = Path.Combine(ReportFixtures.TempDir("bad"), "run");
        if (kind != "missing") Directory.CreateDirectory(dir);
        if (kind == "bad-run-json") File.WriteAllText(Path.Combine(dir, "run.json"), "{ not json");
        if (kind == "bad-figures-json")
        {
            ReportFixtures.WriteRun(dir, []);
            File.WriteAllText(Path.Combine(dir, "figures.json"), "{\"oops\": 1}");
        }
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int code;
        try { code = Commands.Main(["report", dir]); }
        finally { Console.SetError(old); }
        Assert.Equal(Commands.UserError, code);
        string message = err.ToString().TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', message);
        Assert.StartsWith("noether: error: ", message);
        Assert.Contains(kind == "bad-figures-json" ? "figures.json" : kind == "missing" ? "does not exist" : "run.json", message);
        Assert.False(File.Exists(Path.Combine(dir, "report.html")));
    }

    [Fact]
    public void Index_has_one_row_per_experiment_with_its_claims_and_a_link_to_its_report()
    {
        string root = ReportFixtures.TempDir("index");
        foreach (var name in new[] { "first", "second" })
            RunReport.Build(ReportFixtures.WriteRun(Path.Combine(root, name), []));
        File.Delete(Path.Combine(root, "second", "report.html"));
        string html = File.ReadAllText(IndexHtml.Write(root));
        Assert.Contains("href=\"first/report.html\"", html);
        Assert.DoesNotContain("href=\"second/report.html\"", html);
        Assert.Contains("no report", html);
        Assert.Equal(2, Regex.Matches(html, "<tr><td><strong>noise-equilibrium").Count);
        Assert.Contains("2/4 paper claims passed</strong> across 2 experiment(s)", html);
        // `noether report` on the reproduce folder rebuilds every run and the index.
        Assert.Equal(Commands.Ok, Commands.Main(["report", root]));
        Assert.True(File.Exists(Path.Combine(root, "second", "report.html")));
        Assert.Contains("href=\"second/report.html\"", File.ReadAllText(Path.Combine(root, "index.html")));
        Directory.Delete(root, true);
    }

    [Fact]
    public void Saved_tensors_are_npy_files_listed_in_the_report()
    {
        string dir = ReportFixtures.WriteRun(ReportFixtures.TempDir("tensors"), []);
        using var metrics = MetricsWriter.InMemory();
        var ctx = new RunContext(1, "quick", 1, metrics, dir);
        var t = new Tensor<double>(2, 3);
        for (int i = 0; i < 6; i++) t.Span[i] = i * 0.5;
        ctx.SaveTensor("final_weights", t);
        Assert.Throws<ArgumentException>(() => ctx.SaveTensor("../escape", t));
        var back = Npy.ReadDouble(Path.Combine(dir, "tensors", "final_weights.npy"));
        Assert.Equal(t.Shape, back.Shape);
        Assert.Equal(t.ReadOnlySpan.ToArray(), back.ReadOnlySpan.ToArray());
        string html = File.ReadAllText(RunReport.Build(dir).ReportPath);
        Assert.Contains("tensors/final_weights.npy</code>: NPY array of shape (2, 3)", html);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_cli_run_leaves_plots_and_report_in_its_folder_and_reproduce_leaves_an_index()
    {
        string root = ReportFixtures.TempDir("cli-run");
        string[] shortRun = ["--set", "balance.sgd_steps=200", "--set", "balance.gd_steps=20", "--set", "scale.steps=200", "--set", "warmup.steps=200", "--set", "warmup.warmup_steps=100", "--set", "seeds=1", "--no-fail"];
        Assert.Equal(Commands.Ok, Commands.Main(["run", "noise-equilibrium", .. shortRun, "--out", Path.Combine(root, "one")]));
        string html = File.ReadAllText(Path.Combine(root, "one", "report.html"));
        Assert.Contains($"id=\"{ReportHtml.ClaimsTableId}\"", html);
        Assert.True(Directory.GetFiles(Path.Combine(root, "one", "plots"), "*.png").Length >= 2);
        Assert.Equal(Commands.Ok, Commands.Main(["reproduce", "--only", "noise-equilibrium", "--out", Path.Combine(root, "all"), "--no-fail"]));
        Assert.True(File.Exists(Path.Combine(root, "all", "summary.md")));
        Assert.Contains("href=\"noise-equilibrium/report.html\"", File.ReadAllText(Path.Combine(root, "all", "index.html")));
        Assert.True(File.Exists(Path.Combine(root, "all", "noise-equilibrium", "report.html")));
        Directory.Delete(root, true);
    }
}
