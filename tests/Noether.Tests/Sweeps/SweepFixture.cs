using System.Diagnostics;
using System.Text.Json.Nodes;
using Noether.Cli;
using Noether.Sweeps;

namespace Noether.Tests.Sweeps;

/// <summary>Temporary sweep folders and the real `noether` program (dotnet noether.dll) for the sweep tests.</summary>
internal static class SweepFixture
{
    /// <summary>noise-equilibrium cut down to well under a second per trial (warmup at a learning rate where nothing diverges, so every claim is finite).</summary>
    public const string TinySet = """{ "seeds": 1, "balance.sgd_steps": 300, "balance.gd_steps": 30, "balance.rate_max_steps": 300, "scale.steps": 150, "warmup.steps": 100, "warmup.warmup_steps": 50, "warmup.lr": 0.01, "probe_every": 50 }""";

    public static string NewRoot() => Directory.CreateTempSubdirectory("noether-sweep-").FullName;

    public static SweepManifest Plan(string root, string name, string specJson)
    {
        var spec = SweepSpec.Parse(JsonNode.Parse(specJson)!.AsObject());
        return SweepPlanner.Plan(spec, Path.Combine(root, name));
    }

    /// <summary>How the tests start the real CLI: the same resolution `sweep run --local` uses.</summary>
    public static TrialCommand Cli(double checkpointEvery = 60) =>
        TrialCommand.ForCurrentProcess(typeof(Commands).Assembly.Location, 1, checkpointEvery);

    public static Process StartTrial(SweepManifest m, int index, double checkpointEvery)
    {
        var cmd = Cli(checkpointEvery);
        var info = new ProcessStartInfo(cmd.Program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in cmd.Arguments(m.Directory, index)) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static int LineCount(string path)
    {
        if (!File.Exists(path)) return 0;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var r = new StreamReader(fs);
        int n = 0;
        while (r.ReadLine() is not null) n++;
        return n;
    }
}
