using Noether.Data;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;

namespace Noether.Experiments;

/// <summary>
/// compositional's measurements of how a decoder composes (docs/experiments/compositional.md#measurements): the
/// superposition signature of its OOD outputs, the factorisation F of every activation over the whole N×N grid of
/// positions (the paper's measure of whether a layer keeps the disentangled (x, y) code factorised or re-entangles it),
/// and the stripe fraction of a low-rank embedding.
/// </summary>
public sealed partial class Compositional
{
    /// <summary>
    /// The superposition signature (docs/experiments/compositional.md#jmlp-superposition): for each OOD cell, S = mean ID target sharing its x + mean ID target
    /// sharing its y; returns per member the mean over OOD cells of the pixelwise Pearson r(output, S) and r(output, target).
    /// </summary>
    private static (double[] WithSuperposition, double[] WithTarget) Superposition(DecoderResult result, GaussianBumps bumps, BumpHoldout split)
    {
        int px = bumps.Pixels, p = result.OodOutputs.Length;
        var superposition = new BumpSuperposition(bumps, split.InDistribution);
        var withS = new double[p]; var withT = new double[p];
        var img = new double[px]; var superposed = new double[px]; var output = new double[px];
        for (int c = 0; c < split.OutOfDistribution.Length; c++)
        {
            var (x, y) = split.OutOfDistribution[c];
            bumps.Render(x, y, img);
            superposition.Render(x, y, superposed);
            for (int m = 0; m < p; m++)
            {
                for (int k = 0; k < px; k++) output[k] = result.OodOutputs[m][c * px + k];
                withS[m] += MatrixAlignment.PearsonAlpha(output, superposed);
                withT[m] += MatrixAlignment.PearsonAlpha(output, img);
            }
        }
        int n = split.OutOfDistribution.Length;
        return (withS.Select(v => v / n).ToArray(), withT.Select(v => v / n).ToArray());
    }

    /// <summary>
    /// J.mlp-reentanglement (docs/experiments/compositional.md#jmlp-reentanglement): the decoder's last hidden layer has lost the
    /// factorisation F = 1 of its code. Threshold from the chance level of unrelated tangents: for t_x, t_y independent with
    /// i.i.d. entries in D dimensions, E|g_xy| / E(g_xx + g_yy) = √(2D/π)/(2D) = 1/√(2πD), so a layer whose x- and y-tangents
    /// are no more orthogonal than chance has F ≈ 1 − 1/√(2πD); the claim asks for at least half that deficit,
    /// F ≤ 1 − 1/(2√(2πD)). F at initialisation is reported beside it.
    /// </summary>
    private static Claim Reentanglement(Config config, DecoderResult result, RunContext ctx)
    {
        var trained = result.Factorisation![result.LastHidden];
        var init = result.FactorisationAtInit![result.LastHidden];
        double threshold = 1 - 1 / (2 * Math.Sqrt(2 * Math.PI * result.LastHiddenWidth));
        string Seeds(double[] v) => string.Join(", ", v.Select((x, i) => $"seed {ctx.Seed + i}: {Claim.Format(x)}"));
        string layers = string.Join("; ", Enumerable.Range(0, result.Factorisation.Length).Select(a =>
            $"a{a} {string.Join("/", result.Factorisation[a].Select(Claim.Format))}"));
        return Claim.AtMost("J.mlp-reentanglement",
            $"The disentangled code (F = 1) is re-entangled in the {result.Name} decoder's last hidden layer (D = {result.LastHiddenWidth}): layer-geometry factorisation F = 1 − mean|g_xy|/mean(g_xx + g_yy) over the {config.Grid.Size}×{config.Grid.Size} grid, at most 1 − half the chance deficit 1/√(2πD) of unrelated tangents (largest over seeds)",
            trained.Max(), threshold,
            $"trained {Seeds(trained)}; at initialisation {Seeds(init)}; every activation (a0 = code … last = image, per seed): {layers}");
    }

    /// <summary>The last activation that is the output of a nonlinearity, and its width per sample.</summary>
    private static (int Index, int Width) LastHiddenLayer(Sequential<float> net)
    {
        for (int i = net.Layers.Count - 1; i >= 0; i--)
            if (net.Layers[i] is Activation<float> or PRelu<float>)
            {
                var act = net.Activation(i + 1);
                return (i + 1, act.Length / (act.Shape[0] * act.Shape[1]));
            }
        return (0, 1);
    }

    /// <summary>F[activation][member] (<see cref="GridFactorisation"/>) of every activation of <paramref name="net"/>, positions in [y][x] order.</summary>
    private static double[][] LayerFactorisation(Sequential<float> net, GaussianBumps bumps, BumpCode code)
    {
        int n = bumps.Size, p = net.Members;
        var cells = new List<(int X, int Y)>(n * n);
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) cells.Add((x, y));
        var (codes, _) = bumps.Batch<float>(cells, code);
        var input = new Tensor<float>(p, cells.Count, codes.Shape[1]);
        for (int m = 0; m < p; m++) codes.ReadOnlySpan.CopyTo(input.SliceSpan(m));
        net.Forward(input);
        int layers = net.Layers.Count;
        var result = new double[layers + 1][];
        for (int a = 0; a <= layers; a++)
        {
            var act = net.Activation(a);
            int dim = act.Length / (p * cells.Count);
            result[a] = new double[p];
            var buffer = new double[cells.Count * dim];
            for (int m = 0; m < p; m++)
            {
                var s = act.SliceSpan(m);
                for (int i = 0; i < buffer.Length; i++) buffer[i] = s[i];
                result[a][m] = GridFactorisation.Of(buffer, n, dim);
            }
        }
        return result;
    }

    /// <summary>
    /// How much of each token's embedding is a stripe (docs/experiments/compositional.md#measurements), per member: for E_x(x)
    /// the energy of its column means (the image with every column replaced by its mean, a vertical stripe pattern) over
    /// its energy, for E_y(y) the same with row means; averaged over the 2N tokens. 1 for pure stripes, about 1/G for
    /// random G×G images. Null when the decoder does not start with a <see cref="LowRankEmbedding{T}"/>.
    /// </summary>
    private static double[]? StripeFraction(Sequential<float> net, GaussianBumps bumps)
    {
        if (net.Layers[0] is not LowRankEmbedding<float> embedding) return null;
        int n = bumps.Size, g = embedding.Size, p = net.Members;
        var cells = new List<(int X, int Y)>();
        for (int t = 0; t < n; t++) cells.Add((t, t)); // cell (t, t): channel 0 is E_x(t), channel 1 is E_y(t)
        var (codes, _) = bumps.Batch<float>(cells, BumpCode.OneHot);
        var input = new Tensor<float>(p, cells.Count, codes.Shape[1]);
        for (int m = 0; m < p; m++) codes.ReadOnlySpan.CopyTo(input.SliceSpan(m));
        net.Forward(input);
        var e = net.Activation(1);
        var result = new double[p];
        for (int m = 0; m < p; m++)
        {
            var s = e.SliceSpan(m);
            double total = 0;
            for (int t = 0; t < n; t++)
                for (int a = 0; a < 2; a++)
                {
                    var img = s.Slice((2 * t + a) * g * g, g * g);
                    double energy = 0, striped = 0;
                    for (int k = 0; k < g * g; k++) energy += img[k] * img[k];
                    for (int u = 0; u < g; u++)
                    {
                        double mean = 0; // a = 0: mean of column u over rows; a = 1: mean of row u over columns
                        for (int v = 0; v < g; v++) mean += a == 0 ? img[v * g + u] : img[u * g + v];
                        mean /= g;
                        striped += g * mean * mean;
                    }
                    total += energy > 0 ? striped / energy : 0;
                }
            result[m] = total / (2 * n);
        }
        return result;
    }
}
