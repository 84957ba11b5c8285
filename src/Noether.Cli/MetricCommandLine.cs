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
        var cmd = new Command("metric", $"Compare two n×d feature matrices saved as NPY (or, with --layers, two N×L×D stacks). Metrics: {string.Join(", ", MetricCommand.Names)}; platonic-rep's names {string.Join(", ", MetricCommand.Aliases.Keys)} also work ('noether list metrics').");
        var name = new Argument<string>("name") { Description = "Metric name" };
        var a = new Argument<string>("a") { Description = "First features, n×d_a .npy" };
        var b = new Argument<string>("b") { Description = "Second features, n×d_b .npy (same n)" };
        var k = new Option<int>("--k") { Description = "Neighbours for mknn and cknna", DefaultValueFactory = _ => 10 };
        var clip = new Option<double?>("--clip") { Description = "mknn: clip features at this quantile of |value| first (e.g. 0.95)" };
        var perms = new Option<int>("--null") { Description = "Row permutations for a permutation null (score, null mean and sd, z, p)", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the permutation null", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var normalize = new Option<string>("--normalize")
        {
            Description = "Rows before the metric: default (each metric's own, see 'noether list metrics'), none, l2, or prh (platonic-rep's pipeline: clip at the 0.95 quantile of |value|, then unit rows)",
            DefaultValueFactory = _ => "default",
        };
        normalize.AcceptOnlyFromAmong([.. MetricCommand.Normalizations]);
        var layers = new Option<bool>("--layers") { Description = "A and B are N×L×D stacks: score every layer pair (an L_A×L_B matrix) and report the best, like platonic-rep's layer search" };
        cmd.Arguments.Add(name); cmd.Arguments.Add(a); cmd.Arguments.Add(b);
        foreach (var o in new Option[] { k, clip, perms, seed, json, normalize, layers }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var options = new MetricOptions(K: r.GetValue(k), Clip: r.GetValue(clip), NullPermutations: r.GetValue(perms), Seed: r.GetValue(seed), Normalize: r.GetValue(normalize)!);
            string Fmt(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
            if (r.GetValue(layers))
            {
                if (options.NullPermutations > 0) throw new ProbeInputException("--null with --layers: the permutation null is computed for one pair of matrices; drop one of them");
                var scores = MetricCommand.RunLayers(r.GetValue(name)!, r.GetValue(a)!, r.GetValue(b)!, options);
                if (r.GetValue(json)) { Console.WriteLine(scores.ToJson()); return Commands.Ok; }
                var table = new Table().AddColumn("A layer \\ B layer");
                for (int j = 0; j < scores.Scores[0].Length; j++) table.AddColumn(new TableColumn(j.ToString(CultureInfo.InvariantCulture)).RightAligned());
                for (int i = 0; i < scores.Scores.Length; i++) table.AddRow([i.ToString(CultureInfo.InvariantCulture), .. scores.Scores[i].Select(Fmt)]);
                AnsiConsole.Write(table);
                var (best, bi, bj) = scores.Best;
                Console.WriteLine($"{scores.Metric}: best {Fmt(best)} at A layer {bi}, B layer {bj} (n={scores.N})");
                return Commands.Ok;
            }
            var result = MetricCommand.Run(r.GetValue(name)!, r.GetValue(a)!, r.GetValue(b)!, options);
            if (r.GetValue(json)) { Console.WriteLine(result.ToJson()); return Commands.Ok; }
            Console.WriteLine($"{result.Metric}: {Fmt(result.Value)}  (n={result.N}, d_a={result.DA}, d_b={result.DB})");
            if (result.Null is { } s)
                Console.WriteLine($"permutation null ({s.Permutations}): mean {Fmt(s.NullMean)}, sd {Fmt(s.NullSd)}, z {Fmt(s.Z)}, p {Fmt(s.P)}");
            return Commands.Ok;
        });
        return cmd;
    }
}
