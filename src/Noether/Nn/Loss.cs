using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>
/// A loss averaged over the batch. <see cref="Evaluate"/> writes each member's loss and ∂loss/∂prediction
/// (the 1/B of the batch mean included), so the backward pass needs no further scaling.
/// </summary>
public abstract class Loss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public abstract string Name { get; }

    /// <summary>pred and target are [P, B, out]; lossPerMember has length P; grad has pred's shape.</summary>
    public void Evaluate(Tensor<T> pred, Tensor<T> target, Span<double> lossPerMember, Tensor<T>? grad)
    {
        RequireShapes(pred, target, lossPerMember, grad);
        EvaluateMembers(pred, target, lossPerMember, grad, 0, pred.Shape[0]);
    }

    /// <summary>The checks of <see cref="Evaluate"/>: prediction, target and gradient buffer share one shape, and the loss buffer has an entry per member.</summary>
    public void RequireShapes(Tensor<T> pred, Tensor<T> target, Span<double> lossPerMember, Tensor<T>? grad)
    {
        if (!pred.SameShape(target)) Shapes.RequireSameShape($"{Name}: prediction vs target", pred, target);
        if (grad is not null) if (!pred.SameShape(grad)) Shapes.RequireSameShape($"{Name}: prediction vs gradient buffer", pred, grad);
        int members = pred.Shape[0];
        if (lossPerMember.Length < members) throw new ArgumentException($"{Name}: loss buffer has {lossPerMember.Length} entries for {members} members");
    }

    /// <summary><see cref="Evaluate"/> for members [first, last) only, after <see cref="RequireShapes"/> (each member's value does not depend on the range).</summary>
    public void EvaluateMembers(Tensor<T> pred, Tensor<T> target, Span<double> lossPerMember, Tensor<T>? grad, int first, int last)
    {
        int batch = pred.Shape[1];
        int width = pred.Stride0 / Math.Max(1, batch);
        for (int p = first; p < last; p++)
            lossPerMember[p] = Member(pred.SliceSpan(p), target.SliceSpan(p), grad is null ? default : grad.SliceSpan(p), batch, width, grad is not null);
    }

    protected abstract double Member(ReadOnlySpan<T> pred, ReadOnlySpan<T> target, Span<T> grad, int batch, int width, bool wantGrad);
}

/// <summary>
/// Squared error per sample, summed over outputs (or averaged, with <c>meanOverOutputs</c>), averaged over
/// the batch. With <c>half</c> the per-sample loss is ½‖f − y‖², the convention of the symmetry papers.
/// </summary>
public sealed class MseLoss<T>(bool half = true, bool meanOverOutputs = false) : Loss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public bool Half => half;
    public bool MeanOverOutputs => meanOverOutputs;
    public override string Name => half ? "MSE(½)" : "MSE";

    protected override double Member(ReadOnlySpan<T> pred, ReadOnlySpan<T> target, Span<T> grad, int batch, int width, bool wantGrad)
    {
        double scale = (half ? 0.5 : 1.0) / batch / (meanOverOutputs ? width : 1);
        T gscale = T.CreateChecked(2 * scale);
        double sum = 0;
        for (int i = 0; i < pred.Length; i++)
        {
            T r = pred[i] - target[i];
            double rd = double.CreateChecked(r);
            sum += rd * rd;
            if (wantGrad) grad[i] = gscale * r;
        }
        return sum * scale;
    }
}

/// <summary>Softmax cross-entropy against a target distribution (one-hot labels), averaged over the batch.</summary>
public sealed class SoftmaxCrossEntropyLoss<T> : Loss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string Name => "SoftmaxCrossEntropy";

    protected override double Member(ReadOnlySpan<T> pred, ReadOnlySpan<T> target, Span<T> grad, int batch, int width, bool wantGrad)
    {
        // Each row's logits and targets are converted to float64 once (the arithmetic below is unchanged in order and kind).
        double[]? rented = width <= 128 ? null : System.Buffers.ArrayPool<double>.Shared.Rent(2 * width);
        Span<double> row = rented is null ? stackalloc double[2 * width] : rented.AsSpan(0, 2 * width);
        Span<double> zd = row[..width], td = row[width..];
        double total = 0;
        for (int i = 0; i < batch; i++)
        {
            var z = pred.Slice(i * width, width);
            var t = target.Slice(i * width, width);
            for (int j = 0; j < width; j++) { zd[j] = double.CreateChecked(z[j]); td[j] = double.CreateChecked(t[j]); }
            double max = double.NegativeInfinity;
            for (int j = 0; j < width; j++) max = Math.Max(max, zd[j]);
            double sumExp = 0;
            for (int j = 0; j < width; j++) sumExp += Math.Exp(zd[j] - max);
            double logZ = max + Math.Log(sumExp);
            double tsum = 0;
            for (int j = 0; j < width; j++)
            {
                total -= td[j] * (zd[j] - logZ);
                tsum += td[j];
            }
            if (wantGrad)
            {
                var g = grad.Slice(i * width, width);
                for (int j = 0; j < width; j++)
                    g[j] = T.CreateChecked((tsum * Math.Exp(zd[j] - logZ) - td[j]) / batch);
            }
        }
        if (rented is not null) System.Buffers.ArrayPool<double>.Shared.Return(rented);
        return total / batch;
    }
}
