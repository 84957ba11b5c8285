using System.CommandLine;
using System.Globalization;
using Noether.Probes;
using Spectre.Console;

namespace Noether.Cli;

/// <summary>`noether metric NAME A.npy B.npy`: a representation-similarity metric on features exported from any framework.</summary>
public static class MetricCommandLine
{
    public static Command Build()
    {
        var cmd = new Command("metric", $"Compare two n×d feature matrices saved as NPY (float32/float64, C order). Metrics: {string.Join(", ", MetricCommand.Names)}.");
        var name = new Argument<string>("name") { Description = "Metric name" };
        var a = new Argument<string>("a") { Description = "First features, n×d_a .npy" };
        var b = new Argument<string>("b") { Description = "Second features, n×d_b .npy (same n)" };
        var k = new Option<int>("--k") { Description = "Neighbours for mknn and cknna", DefaultValueFactory = _ => 10 };
        var clip = new Option<double?>("--clip") { Description = "mknn: clip features at this quantile of |value| first (e.g. 0.95)" };
        var perms = new Option<int>("--null") { Description = "Row permutations for a permutation null (score, null mean and sd, z, p)", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the permutation null", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        cmd.Arguments.Add(name); cmd.Arguments.Add(a); cmd.Arguments.Add(b);
        foreach (var o in new Option[] { k, clip, perms, seed, json }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var result = MetricCommand.Run(r.GetValue(name)!, r.GetValue(a)!, r.GetValue(b)!,
                new MetricOptions(K: r.GetValue(k), Clip: r.GetValue(clip), NullPermutations: r.GetValue(perms), Seed: r.GetValue(seed)));
            if (r.GetValue(json)) { Console.WriteLine(result.ToJson()); return Commands.Ok; }
            string Fmt(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
            Console.WriteLine($"{result.Metric}: {Fmt(result.Value)}  (n={result.N}, d_a={result.DA}, d_b={result.DB})");
            if (result.Null is { } s)
                Console.WriteLine($"permutation null ({s.Permutations}): mean {Fmt(s.NullMean)}, sd {Fmt(s.NullSd)}, z {Fmt(s.Z)}, p {Fmt(s.P)}");
            return Commands.Ok;
        });
        return cmd;
    }
}
