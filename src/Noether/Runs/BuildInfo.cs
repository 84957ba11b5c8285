using System.Reflection;

namespace Noether.Runs;

/// <summary>Which code this is: the version and the git commit it was built from (embedded at build time by Directory.Build.targets).</summary>
public static class BuildInfo
{
    private static readonly Assembly Library = typeof(BuildInfo).Assembly;

    /// <summary>The version, e.g. 0.1.0.</summary>
    public static string Version => Library.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The commit hash, or "unknown" when built without git.</summary>
    public static string Commit => Metadata("GitCommit");

    /// <summary>"true" when the tree had uncommitted changes at build time, "false" when clean, "unknown" without git.</summary>
    public static string Dirty => Metadata("GitDirty");

    /// <summary>One line: "0.1.0 (commit abc…, dirty)".</summary>
    public static string Text => $"{Version} (commit {Commit}{Dirty switch { "true" => ", dirty", "false" => "", _ => ", tree state unknown" }})";

    private static string Metadata(string key) =>
        Library.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } v ? v : "unknown";
}
