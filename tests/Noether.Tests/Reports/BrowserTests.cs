using System.Diagnostics;
using System.Text.RegularExpressions;
using Noether.Experiments;
using Noether.Reports;

namespace Noether.Tests.Reports;

/// <summary>A fact that runs only where Debian's chromium is installed (CI installs it); elsewhere xunit reports it skipped.</summary>
public sealed class ChromiumInstalledFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumInstalledFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} not found: install it with 'apt-get install chromium'";
    }
}

/// <summary>
/// Opens a real report.html in headless Chromium. A copy of the report gets a small script that,
/// once the page has loaded, writes into the DOM how many images there are, how many failed to
/// decode (naturalWidth 0) and how many rows the claims table has; --dump-dom prints the DOM.
/// </summary>
[Trait("Category", "Browser")]
public class BrowserTests
{
    private const string Probe = """
        <script>
        window.addEventListener('load', () => {
          const images = Array.from(document.images);
          const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).length;
          const table = document.getElementById('claims');
          const rows = table ? table.tBodies[0].rows.length : -1;
          document.body.setAttribute('data-check', `images=${images.length};broken=${broken};claims=${rows}`);
        });
        </script>
        """;

    [ChromiumInstalledFact]
    public void Every_image_of_a_real_report_decodes_and_the_claims_table_is_there()
    {
        string dir = ReportFixtures.TempDir("browser");
        // A real (short) run of the model experiment, then its report from disk.
        var result = ExperimentRunner.Run(new RunRequest("noise-equilibrium")
        {
            Sets = ["balance.sgd_steps=400", "balance.gd_steps=40", "scale.steps=400", "seeds=2"], OutputDirectory = dir,
        });
        string report = RunReport.Build(dir).ReportPath;
        var (images, broken, claims) = Check(report, dir);
        Assert.Equal(result.Figures.Count, images);
        Assert.True(images >= 2);
        Assert.Equal(0, broken);
        Assert.Equal(result.Claims.Count, claims);
        Directory.Delete(dir, true);
    }

    [ChromiumInstalledFact]
    public void A_corrupt_image_is_reported_as_broken()
    {
        // The check must be able to fail: damage one embedded PNG and the browser says so.
        string dir = ReportFixtures.WriteRun(ReportFixtures.TempDir("browser-bad"), ReportFixtures.EveryKind());
        string report = RunReport.Build(dir).ReportPath;
        string html = File.ReadAllText(report);
        int at = html.IndexOf("data:image/png;base64,", StringComparison.Ordinal) + "data:image/png;base64,".Length;
        File.WriteAllText(report, html[..at] + "AAAA" + html[(at + 40)..]);
        var (images, broken, claims) = Check(report, dir);
        Assert.Equal(5, images);
        Assert.Equal(1, broken);
        Assert.Equal(2, claims);
        Directory.Delete(dir, true);
    }

    private static (int Images, int Broken, int Claims) Check(string report, string dir)
    {
        string probed = Path.Combine(dir, "probed.html");
        File.WriteAllText(probed, File.ReadAllText(report).Replace("</body>", Probe + "</body>"));
        string dom = RunChromium("--dump-dom", "--virtual-time-budget=10000", new Uri(probed).AbsoluteUri);
        var m = Regex.Match(dom, "data-check=\"images=(\\d+);broken=(\\d+);claims=(-?\\d+)\"");
        Assert.True(m.Success, "no check marker in the DOM Chromium printed: " + dom[..Math.Min(dom.Length, 400)]);
        return (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
    }

    internal static string RunChromium(params string[] args)
    {
        string profile = ReportFixtures.TempDir("chromium-profile");
        var psi = new ProcessStartInfo(ChromiumInstalledFactAttribute.Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("chromium did not finish in 120 s"); }
        try { Directory.Delete(profile, true); } catch (IOException) { }
        Assert.True(p.ExitCode == 0, $"chromium exited {p.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
