using System.Globalization;
using System.Net;
using System.Text;

namespace Noether.Reports;

/// <summary>Small pieces shared by report.html and index.html: escaping, numbers, verdict badges and the one stylesheet.</summary>
public static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Number(double v) => Experiments.Claim.Format(v);

    public static string Seconds(double? s) =>
        s is null ? "—" : s < 120 ? s.Value.ToString("0.0", CultureInfo.InvariantCulture) + " s" : TimeSpan.FromSeconds(s.Value).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);

    public static string Verdict(bool passed) => passed ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>";

    public static string Status(string status) =>
        $"<span class=\"status {(status == Runs.RunStatus.Completed ? "ok" : "bad")}\">{E(status)}</span>";

    public static string ArxivLink(string id) => $"<a href=\"https://arxiv.org/abs/{E(id)}\">arXiv:{E(id)}</a>";

    public static StringBuilder Begin(string title)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.AppendLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.AppendLine($"<title>{E(title)}</title>").AppendLine("<style>").AppendLine(Style).AppendLine("</style></head><body>");
        return sb;
    }

    public static string End(StringBuilder sb) => sb.AppendLine("</body></html>").ToString();

    // Everything inline: the file is mailed and opened offline, so nothing may be fetched.
    private const string Style = """
        body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1d2329; line-height: 1.45; }
        h1 { font-size: 1.6rem; margin-bottom: .2rem; }
        h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d8dde3; padding-bottom: .2rem; }
        .sub { color: #59636e; margin-top: 0; }
        table { border-collapse: collapse; margin: .5rem 0; }
        th, td { border: 1px solid #d8dde3; padding: .3rem .6rem; text-align: left; vertical-align: top; }
        th { background: #f3f5f7; }
        td.id { white-space: nowrap; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.test { white-space: nowrap; font-family: "DejaVu Sans Mono", monospace; font-size: .9em; }
        .details { color: #59636e; font-size: .88em; }
        .pass, .fail { font-weight: bold; padding: .05rem .45rem; border-radius: .25rem; color: #fff; }
        .pass { background: #1a7f37; } .fail { background: #cf222e; }
        .status { font-weight: bold; } .status.ok { color: #1a7f37; } .status.bad { color: #cf222e; }
        .error { border: 1px solid #cf222e; background: #fff0f0; padding: .6rem .8rem; border-radius: .3rem; }
        pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .85em; }
        figure { margin: 1.2rem 0; }
        figure img { max-width: 100%; height: auto; border: 1px solid #e3e6ea; }
        figcaption { color: #424a53; font-size: .92em; max-width: 860px; }
        .summary { font-size: 1.05rem; }
        dl.meta { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; }
        dl.meta dt { color: #59636e; } dl.meta dd { margin: 0; }
        ul.claims { list-style: none; padding: 0; margin: 0; } ul.claims li { margin: .1rem 0; } ul.claims .id { white-space: nowrap; }
        """;
}
