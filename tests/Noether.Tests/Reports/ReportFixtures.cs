using System.Text.Json;
using Noether.Experiments;
using Noether.Runs;
using SkiaSharp;

namespace Noether.Tests.Reports;

/// <summary>Run folders written by hand (no training), and PNG pixel checks, for the report tests.</summary>
public static class ReportFixtures
{
    public static string TempDir(string what)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"noether-{what}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>One figure of every kind, with a diverged (infinite) point in the line plot.</summary>
    public static List<Figure> EveryKind()
    {
        var steps = Enumerable.Range(0, 50).Select(i => i * 10.0).ToArray();
        var line = new Figure("norm", "Norm ratio", "line", "step", "‖v‖²/‖v₀‖²") { LogY = true, Caption = "grows under SGD" };
        line.Series.Add(new Series("SGD seed 1", steps, steps.Select(s => 1 + s / 10).ToArray()));
        line.Series.Add(new Series("GD seed 1", steps, steps.Select(s => s == 490 ? double.PositiveInfinity : 1.0).ToArray()));
        var scatter = new Figure("pah", "PAH eigenvalues", "scatter", "λ(HᵀH)", "λ(WᵀW)") { LogX = true, LogY = true };
        scatter.Series.Add(new Series("layer 1", [0.001, 0.01, 0.1, 1], [0.01, 0.05, 0.2, 1]));
        var bar = new Figure("crh", "CRH alignments", "bar", "relation", "alignment") { Categories = ["H-W", "G-W", "H-G"] };
        bar.Series.Add(new Series("layer 1", [], [0.9, 0.5, 0.1]));
        bar.Series.Add(new Series("layer 2", [], [0.8, 0.4, 0.2]));
        var heat = new Figure("phase", "Phase diagram", "heatmap", "σ", "γ")
        {
            Z = [[0.1, 0.5, 0.9], [-0.2, 0.3, double.NaN]], RowValues = [1e-3, 1e-2], ColumnValues = [0, 0.1, 1], ZLabel = "alignment",
        };
        var images = new Figure("samples", "Decoded samples", "images", "", "")
        {
            Images = [new ImagePanel("a", 4, 4, Enumerable.Range(0, 16).Select(i => i / 15.0).ToArray()), new ImagePanel("b", 4, 4, new double[16])],
        };
        return [line, scatter, bar, heat, images];
    }

    /// <summary>A completed run folder with two claims (one failing), config, metrics and the given figures.</summary>
    public static string WriteRun(string dir, IReadOnlyList<Figure> figures, string status = RunStatus.Completed)
    {
        Directory.CreateDirectory(dir);
        var claims = new[]
        {
            Claim.AtMost("H-a.imbalance", "SGD balances the layers", 0.07, 0.2, "seed 1: 0.07"),
            Claim.AtLeast("H-b.growth", "SGD grows the norm", 3.0, 5.0),
        };
        var rec = new RunRecord
        {
            Experiment = "noise-equilibrium", Title = "A hand-written run", Profile = "quick", Seed = 4,
            Paper = new PaperRecord("Parameter Symmetry and Noise Equilibrium of Stochastic Gradient Descent", "Liu Ziyin et al.", "2402.07193"),
            Config = new System.Text.Json.Nodes.JsonObject { ["seeds"] = 2, ["balance"] = new System.Text.Json.Nodes.JsonObject { ["sgd_steps"] = 300 } },
            Version = "0.1.0", Started = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), Finished = DateTimeOffset.FromUnixTimeSeconds(1_700_000_004),
            Seconds = 4, Status = status, Error = status == RunStatus.Completed ? null : "InvalidOperationException: boom",
            Timings = new() { ["train"] = 3.5, ["total"] = 4 },
            Claims = claims.Select(ExperimentRunner.ToRecord).ToList(), Figures = figures.Select(f => f.Id).ToList(),
        };
        rec.Save(dir);
        File.WriteAllText(Path.Combine(dir, "figures.json"), JsonSerializer.Serialize(figures, RunRecord.Json));
        using (var m = MetricsWriter.Open(Path.Combine(dir, "metrics.csv")))
        {
            for (int step = 0; step <= 3; step++)
                for (int member = 0; member < 2; member++)
                {
                    m.Log(step * 100, "sgd", member, "", "imbalance", 1.0 / (step + 1) + member);
                    m.Log(step * 100, "sgd", member, "", "loss", 0.5 - 0.1 * step);
                }
        }
        return dir;
    }

    /// <summary>Decodes a PNG and counts dark pixels (text and lines are near-black on white) inside a box.</summary>
    public static int DarkPixels(byte[] png, int x0, int y0, int x1, int y1)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidDataException("not a decodable PNG");
        int dark = 0;
        for (int y = y0; y < Math.Min(y1, bitmap.Height); y++)
            for (int x = x0; x < Math.Min(x1, bitmap.Width); x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red + c.Green + c.Blue < 200) dark++;
            }
        return dark;
    }

    /// <summary>
    /// Dark pixels above the plot's top frame line in the middle 300 columns: the title's glyphs, if
    /// any (the frame is the first row that is dark almost all the way across).
    /// </summary>
    public static int TitlePixels(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidDataException("not a decodable PNG");
        int x0 = bitmap.Width / 2 - 150, x1 = bitmap.Width / 2 + 150, total = 0;
        for (int y = 0; y < bitmap.Height / 3; y++)
        {
            int dark = 0;
            for (int x = x0; x < x1; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red + c.Green + c.Blue < 200) dark++;
            }
            if (dark > 0.9 * (x1 - x0)) return total;
            total += dark;
        }
        return total;
    }

    public static (int Width, int Height) PngSize(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidDataException("not a decodable PNG");
        return (bitmap.Width, bitmap.Height);
    }
}
