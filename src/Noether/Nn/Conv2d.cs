using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>
/// 2-D convolution (cross-correlation, as in PyTorch) on [P, B, Cin, H, W] with weights
/// [P, Cout, Cin, k, k], stride and zero padding, computed as one GEMM per sample over the
/// im2col matrix (<see cref="ConvolutionColumns"/>); a 1×1 kernel skips the column copy.
/// </summary>
public sealed class Conv2d<T> : ConvolutionLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Conv2d(int members, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true, string name = "conv")
        : base("Conv2d", members, inChannels, outChannels, kernel, stride, padding, bias, name,
            weightShape: [members, outChannels, inChannels, kernel, kernel],
            fanIn: inChannels * kernel * kernel, fanOut: outChannels * kernel * kernel)
    {
    }

    public override int[] OutputShape(int[] s)
    {
        if (!(s.Length == 3 && s[0] == Cin)) Shapes.Fail(Name, $"[{Cin},H,W] per sample", s);
        int ho = (s[1] + 2 * Padding - K) / Stride + 1, wo = (s[2] + 2 * Padding - K) / Stride + 1;
        if (!(ho > 0 && wo > 0)) Shapes.Fail(Name, $"an image of at least {K - 2 * Padding}x{K - 2 * Padding}", s);
        return [Cout, ho, wo];
    }

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute)
    {
        int b = x.Shape[1], h = x.Shape[3], w = x.Shape[4], ho = y.Shape[3], wo = y.Shape[4];
        int rows = Cin * K * K, plane = ho * wo;
        bool direct = ConvolutionColumns.IsIdentity(K, Stride, Padding);
        var cols = direct ? null : Workspace(rows * plane);
        for (int p = 0; p < Members; p++)
        {
            var wt = Weight.Value.SliceSpan(p);
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            for (int n = 0; n < b; n++)
            {
                var xn = xs.Slice(n * Cin * h * w, Cin * h * w);
                var yn = ys.Slice(n * Cout * plane, Cout * plane);
                if (!direct) ConvolutionColumns.Gather<T>(xn, Cin, h, w, ho, wo, K, Stride, Padding, cols);
                // y_n [Cout, plane] = W [Cout, Cin·k·k] · cols [Cin·k·k, plane].
                Gemm.Multiply(false, false, Cout, plane, rows, wt, direct ? xn : cols, yn, false, compute.Threads);
                if (Bias is null) continue;
                var bias = Bias.Value.SliceSpan(p);
                for (int co = 0; co < Cout; co++)
                    System.Numerics.Tensors.TensorPrimitives.Add(yn.Slice(co * plane, plane), bias[co], yn.Slice(co * plane, plane));
            }
        }
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        int b = x.Shape[1], h = x.Shape[3], w = x.Shape[4], ho = y.Shape[3], wo = y.Shape[4];
        int rows = Cin * K * K, plane = ho * wo;
        bool direct = ConvolutionColumns.IsIdentity(K, Stride, Padding);
        var cols = direct ? null : Workspace(2 * rows * plane);
        Weight.Grad.Clear();
        dx?.Clear();
        for (int p = 0; p < Members; p++)
        {
            var wt = Weight.Value.SliceSpan(p);
            var gw = Weight.Grad.SliceSpan(p);
            var xs = x.SliceSpan(p); var gys = dy.SliceSpan(p);
            var gxs = dx is null ? default : dx.SliceSpan(p);
            if (Bias is not null)
            {
                var gb = Bias.Grad.SliceSpan(p);
                gb.Clear();
                for (int n = 0; n < b; n++)
                    for (int co = 0; co < Cout; co++)
                        gb[co] += System.Numerics.Tensors.TensorPrimitives.Sum<T>(gys.Slice((n * Cout + co) * plane, plane));
            }
            for (int n = 0; n < b; n++)
            {
                var xn = xs.Slice(n * Cin * h * w, Cin * h * w);
                var gyn = gys.Slice(n * Cout * plane, Cout * plane);
                if (!direct) ConvolutionColumns.Gather<T>(xn, Cin, h, w, ho, wo, K, Stride, Padding, cols.AsSpan(0, rows * plane));
                // ∂W += dy_n · colsᵀ; ∂cols = Wᵀ · dy_n, scattered back onto the input positions.
                Gemm.Multiply(false, true, Cout, rows, plane, gyn, direct ? xn : cols.AsSpan(0, rows * plane), gw, true, compute.Threads);
                if (dx is null) continue;
                var gxn = gxs.Slice(n * Cin * h * w, Cin * h * w);
                if (direct) { Gemm.Multiply(true, false, rows, plane, Cout, wt, gyn, gxn, false, compute.Threads); continue; }
                var dcols = cols.AsSpan(rows * plane, rows * plane);
                Gemm.Multiply(true, false, rows, plane, Cout, wt, gyn, dcols, false, compute.Threads);
                ConvolutionColumns.ScatterAdd<T>(dcols, Cin, h, w, ho, wo, K, Stride, Padding, gxn);
            }
        }
    }

}

/// <summary>
/// Transposed 2-D convolution (the adjoint of <see cref="Conv2d{T}"/>, PyTorch layout) on
/// [P, B, Cin, H, W] with weights [P, Cin, Cout, k, k]; output size (H−1)·stride − 2·padding + k.
/// One GEMM per sample gives each input pixel's k×k contribution, scattered onto the output (col2im).
/// </summary>
public sealed class ConvTranspose2d<T> : ConvolutionLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // PyTorch computes the fan-in of a transposed convolution from weight.shape[1]·k·k.
    public ConvTranspose2d(int members, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true, string name = "deconv")
        : base("ConvTranspose2d", members, inChannels, outChannels, kernel, stride, padding, bias, name,
            weightShape: [members, inChannels, outChannels, kernel, kernel],
            fanIn: outChannels * kernel * kernel, fanOut: inChannels * kernel * kernel)
    {
    }

    public override int[] OutputShape(int[] s)
    {
        if (!(s.Length == 3 && s[0] == Cin)) Shapes.Fail(Name, $"[{Cin},H,W] per sample", s);
        int ho = (s[1] - 1) * Stride - 2 * Padding + K, wo = (s[2] - 1) * Stride - 2 * Padding + K;
        if (!(ho > 0 && wo > 0)) Shapes.Fail(Name, "a positive output size", s);
        return [Cout, ho, wo];
    }

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute)
    {
        int b = x.Shape[1], h = x.Shape[3], w = x.Shape[4], ho = y.Shape[3], wo = y.Shape[4];
        int rows = Cout * K * K, plane = h * w;
        bool direct = ConvolutionColumns.IsIdentity(K, Stride, Padding);
        var cols = direct ? null : Workspace(rows * plane);
        for (int p = 0; p < Members; p++)
        {
            var wt = Weight.Value.SliceSpan(p);
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            for (int n = 0; n < b; n++)
            {
                var xn = xs.Slice(n * Cin * plane, Cin * plane);
                var yn = ys.Slice(n * Cout * ho * wo, Cout * ho * wo);
                // cols [Cout·k·k, h·w] = Wᵀ · x_n with W stored [Cin, Cout·k·k]; each column lands on k×k output pixels.
                if (direct) Gemm.Multiply(true, false, rows, plane, Cin, wt, xn, yn, false, compute.Threads);
                else
                {
                    Gemm.Multiply(true, false, rows, plane, Cin, wt, xn, cols, false, compute.Threads);
                    yn.Clear();
                    ConvolutionColumns.ScatterAdd<T>(cols, Cout, ho, wo, h, w, K, Stride, Padding, yn);
                }
                if (Bias is null) continue;
                var bias = Bias.Value.SliceSpan(p);
                for (int co = 0; co < Cout; co++)
                    System.Numerics.Tensors.TensorPrimitives.Add(yn.Slice(co * ho * wo, ho * wo), bias[co], yn.Slice(co * ho * wo, ho * wo));
            }
        }
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        int b = x.Shape[1], h = x.Shape[3], w = x.Shape[4], ho = y.Shape[3], wo = y.Shape[4];
        int rows = Cout * K * K, plane = h * w;
        bool direct = ConvolutionColumns.IsIdentity(K, Stride, Padding);
        var cols = direct ? null : Workspace(rows * plane);
        Weight.Grad.Clear();
        for (int p = 0; p < Members; p++)
        {
            var wt = Weight.Value.SliceSpan(p);
            var gw = Weight.Grad.SliceSpan(p);
            var xs = x.SliceSpan(p); var gys = dy.SliceSpan(p);
            var gxs = dx is null ? default : dx.SliceSpan(p);
            if (Bias is not null)
            {
                var gb = Bias.Grad.SliceSpan(p);
                gb.Clear();
                for (int n = 0; n < b; n++)
                    for (int co = 0; co < Cout; co++)
                        gb[co] += System.Numerics.Tensors.TensorPrimitives.Sum<T>(gys.Slice((n * Cout + co) * ho * wo, ho * wo));
            }
            for (int n = 0; n < b; n++)
            {
                var xn = xs.Slice(n * Cin * plane, Cin * plane);
                var gyn = gys.Slice(n * Cout * ho * wo, Cout * ho * wo);
                // dcols = the output error read at each input pixel's k×k footprint; ∂W += x_n · dcolsᵀ; ∂x_n = W · dcols.
                if (!direct) ConvolutionColumns.Gather<T>(gyn, Cout, ho, wo, h, w, K, Stride, Padding, cols);
                ReadOnlySpan<T> dcols = direct ? gyn : cols;
                Gemm.Multiply(false, true, Cin, rows, plane, xn, dcols, gw, true, compute.Threads);
                if (dx is not null) Gemm.Multiply(false, false, Cin, plane, rows, wt, dcols, gxs.Slice(n * Cin * plane, Cin * plane), false, compute.Threads);
            }
        }
    }

}

/// <summary>What a convolution and its transpose share: channel counts, kernel geometry, weight and bias, and a reused column workspace.</summary>
public abstract class ConvolutionLayer<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;
    private T[] _workspace = [];

    protected ConvolutionLayer(string kind, int members, int inChannels, int outChannels, int kernel, int stride, int padding, bool bias, string name,
        int[] weightShape, int fanIn, int fanOut) : base(members)
    {
        if (kernel < 1 || stride < 1 || padding < 0)
            throw new ArgumentException($"{kind}: kernel {kernel}, stride {stride}, padding {padding}; expected kernel ≥ 1, stride ≥ 1, padding ≥ 0");
        Cin = inChannels; Cout = outChannels; K = kernel; Stride = stride; Padding = padding;
        Weight = new Parameter<T>(name + ".weight", weightShape, ParameterRole.Weight, fanIn, fanOut);
        Bias = bias ? new Parameter<T>(name + ".bias", [members, outChannels], ParameterRole.Bias, fanIn, outChannels) : null;
        _parameters = Bias is null ? [Weight] : [Weight, Bias];
    }

    public int Cin { get; }
    public int Cout { get; }
    public int K { get; }
    public int Stride { get; }
    public int Padding { get; }
    public Parameter<T> Weight { get; }
    public Parameter<T>? Bias { get; }
    public override IReadOnlyList<Parameter<T>> Parameters => _parameters;

    protected T[] Workspace(int length)
    {
        if (_workspace.Length < length) _workspace = new T[length];
        return _workspace;
    }
}
