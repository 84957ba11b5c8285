using Noether.Tensors;

namespace Noether.Probes;

/// <summary>The best layer pair: score, argmax indices, and the full layer-by-layer score table.</summary>
/// <param name="Score">max over (i, j) of metric(layersA[i], layersB[j]).</param>
/// <param name="LayerA">argmax index into the first list.</param>
/// <param name="LayerB">argmax index into the second list.</param>
/// <param name="Scores">Scores[i, j] for every pair.</param>
public sealed record LayerPairResult(double Score, int LayerA, int LayerB, double[,] Scores);

/// <summary>
/// Max-over-layer-pairs reducer (PRH; docs/probes.md#layer-pair-maximum): the alignment of two models is
/// the largest metric value over all (layer of A, layer of B) pairs; the argmax pair is kept.
/// </summary>
public static class LayerPairMax
{
    /// <summary>Evaluates <paramref name="metric"/> on every pair and returns the maximum (first one on ties).</summary>
    public static LayerPairResult MaxOverLayerPairs(IReadOnlyList<Tensor<double>> layersA, IReadOnlyList<Tensor<double>> layersB,
        Func<Tensor<double>, Tensor<double>, double> metric)
    {
        if (layersA.Count == 0 || layersB.Count == 0)
            throw new ArgumentException($"LayerPairMax: need at least one layer on each side, got {layersA.Count} and {layersB.Count}");
        var scores = new double[layersA.Count, layersB.Count];
        double best = double.NegativeInfinity; int bi = 0, bj = 0;
        for (int i = 0; i < layersA.Count; i++)
            for (int j = 0; j < layersB.Count; j++)
            {
                double s = metric(layersA[i], layersB[j]);
                scores[i, j] = s;
                if (s > best) { best = s; bi = i; bj = j; }
            }
        return new LayerPairResult(best, bi, bj, scores);
    }
}
