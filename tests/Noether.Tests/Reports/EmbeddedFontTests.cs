using System.Diagnostics;
using Noether.Cli;
using Noether.Experiments;
using Noether.Reports;

namespace Noether.Tests.Reports;

public class EmbeddedFontTests
{
    [Fact]
    public void Plot_fonts_resolve_to_the_embedded_typefaces()
    {
        EmbeddedFont.Install();
        Assert.Equal(EmbeddedFont.Family, ScottPlot.Fonts.Default);
        Assert.Same(EmbeddedFont.Regular, ScottPlot.Fonts.GetTypeface(ScottPlot.Fonts.Default, bold: false, italic: false));
        Assert.Same(EmbeddedFont.Bold, ScottPlot.Fonts.GetTypeface(ScottPlot.Fonts.Default, bold: true, italic: false));
        Assert.Equal("DejaVu Sans", EmbeddedFont.Regular.FamilyName);
        // The Greek and super/subscript glyphs the figures use are in the font.
        Assert.True(EmbeddedFont.Regular.ContainsGlyphs("σγηθ‖ᵀ²₀⁻"));
    }

    [Fact]
    public void Pixels_above_the_frame_are_the_title_glyphs()
    {
        var with = new Figure("t", "Relative imbalance of UᵀU and WWᵀ", "line", "step", "imbalance");
        with.Series.Add(new Series("a", [0, 1, 2], [1, 2, 3]));
        var without = with with { Title = "" };
        without.Series.Add(with.Series[0]);
        int withTitle = ReportFixtures.TitlePixels(FigureRenderer.Render(with).Png);
        int noTitle = ReportFixtures.TitlePixels(FigureRenderer.Render(without).Png);
        Assert.True(withTitle > 200, $"{withTitle} dark pixels above the frame");
        Assert.True(noTitle < 10, $"{noTitle} dark pixels above the frame of an untitled plot");
    }

    /// <summary>
    /// The real question: does text render on a machine with no fonts? A child process runs
    /// `noether report` in a private mount namespace where the system font folders are empty tmpfs
    /// mounts (SkiaSharp then finds no font at all), and the title band of its PNG must still hold text.
    /// Needs root and unshare(1); skipped elsewhere.
    /// </summary>
    [MountNamespaceFact]
    public void Text_renders_when_the_system_has_no_fonts()
    {
        string dir = ReportFixtures.WriteRun(ReportFixtures.TempDir("nofonts"), ReportFixtures.EveryKind());
        string cli = typeof(Commands).Assembly.Location;
        var fontDirs = new[] { "/usr/share/fonts", "/usr/local/share/fonts" }.Where(Directory.Exists).ToList();
        Assert.NotEmpty(fontDirs);
        string mounts = string.Join(" && ", fontDirs.Select(d => $"mount -t tmpfs none {d}"));
        string script = $"{mounts} && test -z \"$(ls -A {fontDirs[0]})\" && exec dotnet '{cli}' report '{dir}'";
        var (code, output) = Run("unshare", ["--mount", "--propagation", "private", "sh", "-c", script]);
        Assert.True(code == 0, $"exit {code}: {output}");
        byte[] png = File.ReadAllBytes(Path.Combine(dir, "plots", "norm.png"));
        int dark = ReportFixtures.TitlePixels(png);
        Assert.True(dark > 100, $"{dark} dark pixels above the frame of a plot drawn without system fonts");
        Directory.Delete(dir, true);
    }

    /// <summary>Runs only where this process may create mount namespaces (root with unshare(1)); elsewhere reported skipped.</summary>
    public sealed class MountNamespaceFactAttribute : FactAttribute
    {
        public MountNamespaceFactAttribute()
        {
            if (!CanUnshare()) Skip = "needs root and unshare(1) to hide the system fonts in a private mount namespace";
        }
    }

    private static bool CanUnshare()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return false;
        try { return Run("unshare", ["--mount", "true"]).Code == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    private static (int Code, string Output) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(true); return (-1, "timed out"); }
        return (p.ExitCode, stdout + stderr.Result);
    }
}
