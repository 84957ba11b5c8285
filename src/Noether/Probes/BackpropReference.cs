using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// Exact backpropagation quantities of one population member, recomputed from the network's trace and
/// current weights: starting from the error at the top pre-activation, δ_{l−1} = f'(a_{l−1}) ⊙ (δ_l W_l).
/// Whatever rule formed the gradients (feedback alignment, DFA, Kolen–Pollack, dendritic V), this gives the
/// gradient they are compared with (cos(ΔW1, −∇W1) and φ̂ of docs/experiments/heterosynaptic.md#protocol, the update alignment of docs/experiments/self-assembly.md#protocol).
/// Supports stacks of dense layers with elementwise activations between them.
/// </summary>
public static class BackpropReference
{
    /// <summary>True ∂ℓ/∂h_b [B, out], ∂ℓ/∂h_a [B, in] and ∂ℓ/∂W [out, in] of one dense layer (batch mean included).</summary>
    public sealed record LayerGradients(Tensor<double> PreActivationError, Tensor<double> InputError, Tensor<double> WeightGradient);

    /// <summary>
    /// Storage <see cref="Compute"/> can reuse from call to call, for a probe that runs every step: float64 results
    /// computed with it are its tensors, valid until its next use.
    /// </summary>
    public sealed class Scratch<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private Tensor<T>?[] _tensors = [];

        internal Tensor<T> Get(int slot, int rows, int columns)
        {
            if (slot >= _tensors.Length) Array.Resize(ref _tensors, slot + 1);
            var t = _tensors[slot];
            if (t is null || t.Shape[0] != rows || t.Shape[1] != columns) _tensors[slot] = t = new Tensor<T>(rows, columns);
            return t;
        }
    }

    /// <summary>The backprop gradients of every dense layer of member <paramref name="member"/>, bottom first.</summary>
    public static LayerGradients[] Compute<T>(Sequential<T> network, int member, Scratch<T>? scratch = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T> Get(int slot, int rows, int columns) => scratch?.Get(slot, rows, columns) ?? new Tensor<T>(rows, columns);
        var trace = network.Trace;
        var result = new LayerGradients[trace.Count];
        var top = trace[^1].GradPreActivation.Slice(member);
        var delta = Get(0, top.Shape[0], top.Shape[1]);
        top.ReadOnlySpan.CopyTo(delta.Span);
        for (int k = trace.Count - 1; k >= 0; k--)
        {
            var t = trace[k];
            var w = t.Layer.Weight.Value.Slice(member);
            var ha = t.Input.Slice(member);
            int b = delta.Shape[0], o = t.Layer.Out, i = t.Layer.In;
            var grad = Get(3 * k + 1, o, i);
            Gemm.Multiply(true, false, o, i, b, delta.ReadOnlySpan, ha.ReadOnlySpan, grad.Span);
            var inputError = Get(3 * k + 2, b, i);
            Gemm.Multiply(false, false, b, i, o, delta.ReadOnlySpan, w.ReadOnlySpan, inputError.Span);
            result[k] = new LayerGradients(ToDouble(delta), ToDouble(inputError), ToDouble(grad));
            if (k == 0) break;
            var below = trace[k - 1];
            int between = below.LayerIndex + 1;
            if (between == t.LayerIndex) { delta = inputError; continue; }
            if (between + 1 != t.LayerIndex || network.Layers[between] is not Activation<T> act)
                throw new NotSupportedException($"BackpropReference: between {below.Layer.Name} and {t.Layer.Name} expected one elementwise activation");
            delta = Get(3 * k + 3, b, i);
            act.Derivative(below.PreActivation.Slice(member).ReadOnlySpan, below.Output.Slice(member).ReadOnlySpan, inputError.ReadOnlySpan, delta.Span);
        }
        return result;
    }

    private static Tensor<double> ToDouble<T>(Tensor<T> t) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(double) ? (Tensor<double>)(object)t : Tensor<double>.FromDoubles(t.ToDoubles(), t.Shape);
}
