using System.CommandLine;

namespace Noether.Cli;

/// <summary>
/// Parse errors a person can act on: the unknown word, the command it was given to, and the nearest
/// command or option name (edit distance), instead of only the parser's first complaint.
/// </summary>
public static class Suggestions
{
    /// <summary>One line describing what was wrong with the command line.</summary>
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        string path = CommandPath(parse);
        if (parse.UnmatchedTokens.Count > 0)
        {
            string word = parse.UnmatchedTokens[0];
            var names = Names(command);
            string kind = word.StartsWith('-') ? "option" : command.Subcommands.Count > 0 ? "command" : "argument";
            string hint = Nearest(word, names) is { } near ? $"; did you mean '{near}'?"
                : command.Subcommands.Count > 0 && kind == "command" ? $"; expected one of: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}" : "";
            return $"unknown {kind} '{word}' for '{path}'{hint} (see '{path} --help')";
        }
        // "Required command was not provided" says nothing useful when it comes with a better error.
        var errors = parse.Errors.Select(e => e.Message).ToList();
        var useful = errors.FirstOrDefault(m => !m.StartsWith("Required command", StringComparison.Ordinal));
        if (useful is not null) return $"{useful} (see '{path} --help')";
        return $"'{path}' needs a command: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))} (see '{path} --help')";
    }

    private static string CommandPath(ParseResult parse)
    {
        var parts = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            parts.Insert(0, r.Command is RootCommand ? "noether" : r.Command.Name);
        return string.Join(" ", parts);
    }

    private static List<string> Names(Command command)
    {
        var names = new List<string>();
        foreach (var c in command.Subcommands.Where(c => !c.Hidden)) { names.Add(c.Name); names.AddRange(c.Aliases); }
        foreach (var o in command.Options.Where(o => !o.Hidden)) { names.Add(o.Name); names.AddRange(o.Aliases); }
        return names;
    }

    /// <summary>The closest name within an edit distance of a third of the word (at least 2); "version" also finds "--version".</summary>
    public static string? Nearest(string word, IReadOnlyList<string> names)
    {
        string bare = word.TrimStart('-').ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var name in names)
        {
            int d = Math.Min(Distance(word.ToLowerInvariant(), name.ToLowerInvariant()), Distance(bare, name.TrimStart('-').ToLowerInvariant()) + 1);
            if (d < bestDistance) { best = name; bestDistance = d; }
        }
        // A one-letter option (-x) is only ever a case slip away from a real one; any other letter is a guess.
        int allowed = word.Length <= 2 ? 0 : Math.Max(2, word.Length / 3);
        if (word.Length <= 2) bestDistance = names.Any(n => n.Equals(word, StringComparison.OrdinalIgnoreCase)) ? 0 : int.MaxValue;
        return bestDistance <= allowed ? (word.Length <= 2 ? names.First(n => n.Equals(word, StringComparison.OrdinalIgnoreCase)) : best) : null;
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions).</summary>
    public static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
