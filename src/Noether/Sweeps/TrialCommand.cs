using System.Globalization;
using System.Text;

namespace Noether.Sweeps;

/// <summary>
/// How to start `noether sweep run-trial` from here: the running program itself when it is the
/// noether apphost, otherwise the dotnet host with noether.dll (`dotnet noether.dll`, `dotnet run`,
/// a test host). Paths are absolute so the command works from any folder and on any node that
/// sees the same filesystem.
/// </summary>
public sealed record TrialCommand(string Program, IReadOnlyList<string> PrefixArguments, int Threads, double CheckpointEvery)
{
    /// <param name="cliAssembly">Path of noether.dll (the assembly holding the command line).</param>
    /// <param name="threads">Threads per trial, passed on as --threads.</param>
    /// <param name="checkpointEvery">Seconds between periodic checkpoints, passed on as --checkpoint-every.</param>
    public static TrialCommand ForCurrentProcess(string cliAssembly, int threads, double checkpointEvery)
    {
        string? process = Environment.ProcessPath;
        string processName = Path.GetFileNameWithoutExtension(process ?? "");
        if (process is not null && processName == Path.GetFileNameWithoutExtension(cliAssembly))
            return new(process, [], threads, checkpointEvery);
        string dotnet = process is not null && processName == "dotnet" ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : "dotnet";
        return new(dotnet, [Path.GetFullPath(cliAssembly)], threads, checkpointEvery);
    }

    /// <summary>Arguments after <see cref="Program"/>; the index is left out for array tasks that read it from the environment.</summary>
    public IReadOnlyList<string> Arguments(string sweepDirectory, int? index)
    {
        var args = new List<string>(PrefixArguments) { "sweep", "run-trial", Path.GetFullPath(sweepDirectory) };
        if (index is { } i) args.AddRange(["--index", i.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["--threads", Threads.ToString(CultureInfo.InvariantCulture), "--checkpoint-every", CheckpointEvery.ToString("R", CultureInfo.InvariantCulture)]);
        return args;
    }

    /// <summary>The command as one line of POSIX shell.</summary>
    public string ShellLine(string sweepDirectory, int? index) =>
        string.Join(' ', new[] { Program }.Concat(Arguments(sweepDirectory, index)).Select(Quote));

    public static string Quote(string arg)
    {
        if (arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=+:,@%".Contains(c))) return arg;
        return "'" + arg.Replace("'", "'\\''") + "'";
    }
}
