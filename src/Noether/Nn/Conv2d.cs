using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>
/// 2-D convolution (cross-correlation, as in PyTorch) on [P, B, Cin, H, W] with weights
/// [P, Cout, Cin, k, k], stride and zero padding. Direct loops: the decoders that use it are small.
/// </summary>
public sealed class Conv2d<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;

    public Conv2d(int members, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true, string name = "conv") : base(members)
    {
        if (kernel < 1 || stride < 1 || padding < 0)
            throw new ArgumentException($"Conv2d: kernel {kernel}, stride {stride}, padding {padding}; expected kernel ≥ 1, stride ≥ 1, padding ≥ 0");
        Cin = inChannels; Cout = outChannels; K = kernel; Stride = stride; Padding = padding;
        int fanIn = inChannels * kernel * kernel;
        Weight = new Parameter<T>(name + ".weight", [members, outChannels, inChannels, kernel, kernel], ParameterRole.Weight, fanIn, outChannels * kernel * kernel);
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
        for (int p = 0; p < Members; p++)
        {
            var wt = Weight.Value.SliceSpan(p);
            var bias = Bias is null ? default : Bias.Value.SliceSpan(p);
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            for (int n = 0; n < b; n++)
                for (int co = 0; co < Cout; co++)
                    for (int oy = 0; oy < ho; oy++)
                        for (int ox = 0; ox < wo; ox++)
                        {
                            T s = Bias is null ? T.Zero : bias[co];
                            for (int ci = 0; ci < Cin; ci++)
                                for (int ky = 0; ky < K; ky++)
                                {
                                    int iy = oy * Stride - Padding + ky;
                                    if ((uint)iy >= (uint)h) continue;
                                    for (int kx = 0; kx < K; kx++)
                                    {
                                        int ix = ox * Stride - Padding + kx;
                                        if ((uint)ix >= (uint)w) continue;
                                        s += xs[((n * Cin + ci) * h + iy) * w + ix] * wt[((co * Cin + ci) * K + ky) * K + kx];
                                    }
                                }
                            ys[((n * Cout + co) * ho + oy) * wo + ox] = s;
                        }
        }
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        int b = x.Shape[1], h = x.Shape[3], w = x.Shape[4], ho = y.Shape[3], wo = y.Shape[4];
        Weight.Grad.Clear();
        Bias?.Grad.Clear();
        dx?.Clear();
        for (int p = 0; p < Members; p++)
        {
            var wt = Weight.Value.SliceSpan(p);
            var gw = Weight.Grad.SliceSpan(p);
            var gb = Bias is null ? default : Bias.Grad.SliceSpan(p);
            var xs = x.SliceSpan(p); var gys = dy.SliceSpan(p);
            var gxs = dx is null ? default : dx.SliceSpan(p);
            for (int n = 0; n < b; n++)
                for (int co = 0; co < Cout; co++)
                    for (int oy = 0; oy < ho; oy++)
                        for (int ox = 0; ox < wo; ox++)
                        {
                            T g = gys[((n * Cout + co) * ho + oy) * wo + ox];
                            if (Bias is not null) gb[co] += g;
                            for (int ci = 0; ci < Cin; ci++)
                                for (int ky = 0; ky < K; ky++)
                                {
                                    int iy = oy * Stride - Padding + ky;
                                    if ((uint)iy >= (uint)h) continue;
                                    for (int kx = 0; kx < K; kx++)
                                    {
                                        int ix = ox * Stride - Padding + kx;
                                        if ((uint)ix >= (uint)w) continue;
                                        int xi = ((n * Cin + ci) * h + iy) * w + ix, wi = ((co * Cin + ci) * K + ky) * K + kx;
                                        gw[wi] += g * xs[xi];
                                        if (dx is not null) gxs[xi] += g * wt[wi];
                                    }
                                }
                        }
        }
    }
}

/// <summary>
/// Transposed 2-D convolution (the adjoint of <see cref="Conv2d{T}"/>, PyTorch layout) on
/// [P, B, Cin, H, W] with weights [P, Cin, Cout, k, k]; output size (H−1)·stride − 2·padding + k.
/// </summary>
public sealed class ConvTranspose2d<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;

    public ConvTranspose2d(int members, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true, string name = "deconv") : base(members)
    {
        if (kernel < 1 || stride < 1 || padding < 0)
            throw new ArgumentException($"ConvTranspose2d: kernel {kernel}, stride {stride}, padding {padding}; expected kernel ≥ 1, stride ≥ 1, padding ≥ 0");
        Cin = inChannels; Cout = outChannels; K = kernel; Stride = stride; Padding = padding;
        // PyTorch computes fan-in of a transposed conv from weight.shape[1] * k * k.
        int fanIn = outChannels * kernel * kernel;
        Weight = new Parameter<T>(name + ".weight", [members, inChannels, outChannels, kernel, kernel], ParameterRole.Weight, fanIn, inChannels * kernel * kernel);
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
        for (int p = 0; p < Members; p++)
        {
            var wt = Weight.Value.SliceSpan(p);
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            for (int n = 0; n < b; n++)
                for (int co = 0; co < Cout; co++)
                {
                    var plane = ys.Slice((n * Cout + co) * ho * wo, ho * wo);
                    plane.Fill(Bias is null ? T.Zero : Bias.Value.SliceSpan(p)[co]);
                }
            for (int n = 0; n < b; n++)
                for (int ci = 0; ci < Cin; ci++)
                    for (int iy = 0; iy < h; iy++)
                        for (int ix = 0; ix < w; ix++)
                        {
                            T v = xs[((n * Cin + ci) * h + iy) * w + ix];
                            for (int co = 0; co < Cout; co++)
                                for (int ky = 0; ky < K; ky++)
                                {
                                    int oy = iy * Stride - Padding + ky;
                                    if ((uint)oy >= (uint)ho) continue;
                                    for (int kx = 0; kx < K; kx++)
                                    {
                                        int ox = ix * Stride - Padding + kx;
                                        if ((uint)ox >= (uint)wo) continue;
                                        ys[((n * Cout + co) * ho + oy) * wo + ox] += v * wt[((ci * Cout + co) * K + ky) * K + kx];
                                    }
                                }
                        }
        }
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        int b = x.Shape[1], h = x.Shape[3], w = x.Shape[4], ho = y.Shape[3], wo = y.Shape[4];
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
                for (int ci = 0; ci < Cin; ci++)
                    for (int iy = 0; iy < h; iy++)
                        for (int ix = 0; ix < w; ix++)
                        {
                            int xi = ((n * Cin + ci) * h + iy) * w + ix;
                            T v = xs[xi], acc = T.Zero;
                            for (int co = 0; co < Cout; co++)
                                for (int ky = 0; ky < K; ky++)
                                {
                                    int oy = iy * Stride - Padding + ky;
                                    if ((uint)oy >= (uint)ho) continue;
                                    for (int kx = 0; kx < K; kx++)
                                    {
                                        int ox = ix * Stride - Padding + kx;
                                        if ((uint)ox >= (uint)wo) continue;
                                        T g = gys[((n * Cout + co) * ho + oy) * wo + ox];
                                        int wi = ((ci * Cout + co) * K + ky) * K + kx;
                                        gw[wi] += v * g;
                                        acc += g * wt[wi];
                                    }
                                }
                            if (dx is not null) gxs[xi] = acc;
                        }
        }
    }
}
