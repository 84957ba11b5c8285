using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>Builds multilayer perceptrons: Linear layers named l0, l1, … with an activation between them.</summary>
public static class Mlp
{
    /// <param name="members">Population size: the first axis of every parameter.</param>
    /// <param name="widths">Layer widths including input and output, e.g. [32, 64, 64, 1].</param>
    /// <param name="activation">Hidden activation name (see <see cref="Activations.Names"/>).</param>
    /// <param name="bias">Whether each Linear layer has a bias.</param>
    /// <param name="outputActivation">Activation after the last Linear ("identity" for none).</param>
    /// <param name="compute">Threads for the kernels (null: one thread).</param>
    /// <param name="leakySlope">Negative-side slope when the activation is leaky ReLU.</param>
    public static Sequential<T> Build<T>(int members, IReadOnlyList<int> widths, string activation, bool bias = true,
        string outputActivation = "identity", Compute? compute = null, double leakySlope = 0.01)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (widths.Count < 2) throw new ArgumentException($"Mlp: need at least input and output widths, got [{string.Join(",", widths)}]");
        foreach (var w in widths)
            if (w < 1) throw new ArgumentException($"Mlp: widths must be ≥ 1, got [{string.Join(",", widths)}]");
        var layers = new List<Layer<T>>();
        for (int i = 0; i + 1 < widths.Count; i++)
        {
            layers.Add(new Linear<T>(members, widths[i], widths[i + 1], bias, "l" + i));
            bool last = i + 2 == widths.Count;
            string act = last ? outputActivation : activation;
            if (!last || act != "identity")
                layers.Add(Activations.Create<T>(act, members, widths[i + 1], leakySlope));
        }
        return new Sequential<T>(members, [widths[0]], layers, compute);
    }
}
