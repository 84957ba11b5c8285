using System.Text;
using System.Text.RegularExpressions;
using Noether.Experiments;

namespace Noether.Tests.Framework;

/// <summary>
/// The project documents its own experiments (docs/experiments/README.md): code cites those pages, never the
/// paper digests the project was started from (they are not in the repository), every registered experiment
/// has a page with the stable sections, every claim the code can produce has its heading, and every cited
/// page and anchor exists.
/// </summary>
public class DocumentationTests
{
    private static readonly string Root = FindRoot();

    // The section sign is written as an escape so that this file does not cite anything itself.
    private static readonly Regex DigestCitation = new(@"\b(symmetry|bio|representation)\.md\b|\u00a7", RegexOptions.Compiled);
    private static readonly Regex DocCitation = new(@"docs/(?:experiments/)?[a-z-]+\.md(?:#[a-z0-9_-]+)?", RegexOptions.Compiled);
    private static readonly Regex ClaimId = new(@"Claim\.(?:AtLeast|AtMost|Within)\(\s*\$?""([^""]+)""", RegexOptions.Compiled);
    private static readonly Regex MarkdownLink = new(@"\]\(([^)\s]*)\)", RegexOptions.Compiled);
    private static readonly string[] Sections = ["## Claim", "## Protocol", "## Claims checked", "## Deviations", "## Outcome"];

    [Fact]
    public void No_source_file_cites_a_paper_digest()
    {
        var offenders = SourceFiles()
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => DigestCitation.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(Root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "cite docs/experiments/<id>.md#<anchor>, docs/rules.md or docs/probes.md instead of a digest section:\n" + string.Join("\n", offenders));
    }

    /// <summary>An experiment file reads as paper, claims, defaults, populations, phases, verdicts: generators, probes and loops live elsewhere.</summary>
    [Fact]
    public void No_experiment_file_is_longer_than_400_lines()
    {
        var tooLong = Directory.GetFiles(Path.Combine(Root, "src", "Noether", "Experiments"), "*.cs")
            .Select(f => (File: Path.GetFileName(f), Lines: File.ReadLines(f).Count()))
            .Where(x => x.Lines > 400).Select(x => $"{x.File}: {x.Lines} lines").ToList();
        Assert.True(tooLong.Count == 0, "move data generators to Data, measurements to Probes, training loops to Training:\n" + string.Join("\n", tooLong));
    }

    [Fact]
    public void Every_registered_experiment_has_a_page_with_the_stable_sections()
    {
        foreach (var experiment in Registry.All)
        {
            string page = Path.Combine(Root, "docs", "experiments", experiment.Id + ".md");
            Assert.True(File.Exists(page), $"docs/experiments/{experiment.Id}.md is missing");
            var headings = File.ReadLines(page).Select(l => l.TrimEnd()).ToHashSet();
            foreach (var section in Sections)
                Assert.True(headings.Contains(section), $"docs/experiments/{experiment.Id}.md lacks the heading '{section}'");
            Assert.Contains($"({experiment.Id}.md)", File.ReadAllText(Path.Combine(Root, "docs", "experiments", "README.md")));
        }
    }

    [Fact]
    public void Every_claim_the_code_can_produce_has_a_heading_on_its_page()
    {
        var src = Path.Combine(Root, "src", "Noether", "Experiments");
        foreach (var experiment in Registry.All)
        {
            string type = experiment.GetType().Name;
            var files = Directory.GetFiles(src, type + ".cs").Concat(Directory.GetFiles(src, type + ".*.cs"));
            var claimHeadings = File.ReadLines(Path.Combine(Root, "docs", "experiments", experiment.Id + ".md"))
                .Where(l => l.StartsWith("### ")).Select(l => l[4..].Trim()).ToList();
            foreach (var id in files.SelectMany(f => ClaimId.Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).Distinct())
            {
                // An interpolated id ("A-E1.{rule}.gain") matches a heading written as the template or as any instance.
                var pattern = new Regex("^" + string.Join(".+", Regex.Split(id, @"\{[^}]*\}").Select(Regex.Escape)) + "$");
                Assert.True(claimHeadings.Any(h => h == id || pattern.IsMatch(h)),
                    $"claim {id} of {type} has no '### {id}' heading in docs/experiments/{experiment.Id}.md");
            }
        }
    }

    [Fact]
    public void A_claim_declared_as_a_check_in_code_is_marked_as_one_on_its_page_and_no_other_is()
    {
        var src = Path.Combine(Root, "src", "Noether", "Experiments");
        int checks = 0;
        foreach (var experiment in Registry.All)
        {
            string type = experiment.GetType().Name;
            var lines = File.ReadAllLines(Path.Combine(Root, "docs", "experiments", experiment.Id + ".md"));
            var documented = Enumerable.Range(0, lines.Length - 1).Where(i => lines[i].StartsWith("### ", StringComparison.Ordinal))
                .ToDictionary(i => lines[i][4..].Trim(), i => lines[i + 1].StartsWith("Kind: **check**", StringComparison.Ordinal));
            int declared = 0;
            foreach (var file in Directory.GetFiles(src, type + ".cs").Concat(Directory.GetFiles(src, type + ".*.cs")))
            {
                // A claim's declaration runs from its id to the next claim's id; `.AsCheck()` in it makes it a check.
                string text = File.ReadAllText(file);
                var matches = ClaimId.Matches(text);
                for (int k = 0; k < matches.Count; k++)
                {
                    string id = matches[k].Groups[1].Value;
                    int end = k + 1 < matches.Count ? matches[k + 1].Index : text.Length;
                    bool check = text[matches[k].Index..end].Contains(".AsCheck()", StringComparison.Ordinal);
                    if (check) declared++;
                    if (documented.TryGetValue(id, out bool marked))
                        Assert.True(marked == check, $"claim {id}: the code declares it a {(check ? "check" : "paper claim")}, docs/experiments/{experiment.Id}.md {(marked ? "marks" : "does not mark")} it 'Kind: **check**'");
                }
            }
            Assert.True(documented.Count(d => d.Value) == declared, $"docs/experiments/{experiment.Id}.md marks {documented.Count(d => d.Value)} checks, the code declares {declared}");
            checks += declared;
        }
        Assert.Equal(23, checks);
    }

    [Fact]
    public void Every_cited_page_and_anchor_exists()
    {
        var broken = new List<string>();
        foreach (var file in SourceFiles())
            foreach (Match m in DocCitation.Matches(File.ReadAllText(file)))
                if (Resolve(Root, m.Value) is { } problem) broken.Add($"{Path.GetRelativePath(Root, file)}: {m.Value}: {problem}");
        var docs = Path.Combine(Root, "docs");
        foreach (var page in Directory.GetFiles(Path.Combine(docs, "experiments"), "*.md").Append(Path.Combine(docs, "rules.md")).Append(Path.Combine(docs, "probes.md")))
            foreach (Match m in MarkdownLink.Matches(File.ReadAllText(page)))
            {
                string target = m.Groups[1].Value;
                if (target.StartsWith("http", StringComparison.Ordinal)) continue;
                string link = target.StartsWith('#') ? Path.GetFileName(page) + target : target;
                if (Resolve(Path.GetDirectoryName(page)!, link) is { } problem) broken.Add($"{Path.GetRelativePath(Root, page)}: {target}: {problem}");
            }
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    /// <summary>Null when <paramref name="link"/> (path[#anchor], relative to <paramref name="dir"/>) names an existing page and heading.</summary>
    private static string? Resolve(string dir, string link)
    {
        int hash = link.IndexOf('#');
        string path = Path.GetFullPath(Path.Combine(dir, hash < 0 ? link : link[..hash]));
        if (!File.Exists(path)) return "no such file";
        if (hash < 0) return null;
        string anchor = link[(hash + 1)..];
        var slugs = File.ReadLines(path).Where(l => l.StartsWith('#')).Select(l => Slug(l.TrimStart('#'))).ToHashSet();
        return slugs.Contains(anchor) ? null : $"no heading with anchor #{anchor}";
    }

    /// <summary>GitHub's heading anchor: lower case, punctuation other than '-' and '_' dropped, spaces to '-'.</summary>
    public static string Slug(string heading)
    {
        var sb = new StringBuilder();
        foreach (char c in heading.Trim().ToLowerInvariant())
            if (char.IsLetterOrDigit(c) || c == '-' || c == '_') sb.Append(c);
            else if (c == ' ') sb.Append('-');
        return sb.ToString();
    }

    [Theory]
    [InlineData("Claims checked", "claims-checked")]
    [InlineData("A-E1.{rule}.monotone", "a-e1rulemonotone")]
    [InlineData("H-a setting (balance)", "h-a-setting-balance")]
    [InlineData("I.mi-identical-across-R", "imi-identical-across-r")]
    public void Slug_follows_GitHub(string heading, string anchor) => Assert.Equal(anchor, Slug(heading));

    private static IEnumerable<string> SourceFiles() =>
        new[] { "src", "tests" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"));

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Noether.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Noether.slnx above {AppContext.BaseDirectory}");
    }
}
