using Noether.Cli;
using Noether.Runs;

namespace Noether.Tests.Framework;

/// <summary>
/// Runs every case of <see cref="FaultCorpus"/> through the CLI's entry point in-process: each must exit
/// with its code, print exactly one line on stderr naming the problem (no stack trace), and leave no run
/// marked completed that was not there before.
/// </summary>
[Collection("console")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class FaultInjectionTests
{
    public static TheoryData<string> Names => new(FaultCorpus.All.Select(c => c.Name));

    [Fact]
    public void The_corpus_covers_every_category_with_at_least_150_cases()
    {
        Assert.True(FaultCorpus.All.Count >= 150, $"{FaultCorpus.All.Count} cases");
        Assert.Equal(FaultCorpus.All.Count, FaultCorpus.All.Select(c => c.Name).Distinct().Count());
        foreach (var category in new[] { "cli/", "out/", "config/", "npy/", "idx/", "text/", "spec/", "manifest/", "runjson/" })
            Assert.Contains(FaultCorpus.All, c => c.Name.StartsWith(category, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Malformed_input_gives_one_line_and_exit_2(string name)
    {
        var c = FaultCorpus.All.Single(x => x.Name == name);
        string dir = Directory.CreateTempSubdirectory("noether-fault-").FullName;
        try
        {
            var args = c.Setup(dir);
            var completedBefore = Completed(dir);
            // The CLI runs on this thread, so what this thread allocated bounds the case's memory (managed
            // arrays are all Noether allocates); a reader that trusts a header would show up here in gigabytes.
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var (code, stderr) = Run(args);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            Assert.True(allocated < MemoryBound, $"{name}: allocated {allocated / (1 << 20)} MB, expected under {MemoryBound / (1 << 20)} MB for a malformed input");
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, $"{name}: expected one stderr line, got {lines.Length}: {stderr}");
            Assert.StartsWith("noether: error: ", lines[0]);
            Assert.DoesNotContain("   at ", stderr);
            Assert.DoesNotContain("internal error", stderr);
            Assert.True(c.Code == code, $"{name}: exit {code}, expected {c.Code}: {stderr}");
            Assert.True(stderr.Contains(c.Expect, StringComparison.Ordinal), $"{name}: '{c.Expect}' not in: {stderr}");
            Assert.Equal(completedBefore, Completed(dir));
            c.After?.Invoke(dir);
        }
        finally
        {
            MakeDeletable(dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Most bytes one malformed input may make Noether allocate in total, an upper bound on its peak: 1 GB.
    /// The largest today is a gzip bomb of text data, cut off at the 256 MB text limit (≈ 640 MB allocated
    /// while the buffer doubles).
    /// </summary>
    private const long MemoryBound = 1L << 30;

    /// <summary>Runs the CLI in-process with stderr captured (stdout discarded).</summary>
    public static (int Code, string Stderr) Run(string[] args)
    {
        var err = new StringWriter();
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        Console.SetError(err);
        Console.SetOut(TextWriter.Null);
        try { return (Commands.Main(args), err.ToString()); }
        finally { Console.SetError(oldErr); Console.SetOut(oldOut); }
    }

    /// <summary>Every run.json under <paramref name="dir"/> whose status is completed.</summary>
    private static string[] Completed(string dir) =>
        Directory.EnumerateFiles(dir, "run.json", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(p => { try { return RunRecord.Load(Path.GetDirectoryName(p)!).Status == RunStatus.Completed; } catch (IOException) { return false; } })
            .Order(StringComparer.Ordinal).ToArray();

    private static void MakeDeletable(string dir)
    {
        foreach (var e in Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).Prepend(dir))
            try { File.SetUnixFileMode(e, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
