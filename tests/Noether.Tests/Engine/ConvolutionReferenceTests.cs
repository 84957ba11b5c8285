using Noether.Nn;
using Noether.Tensors;

namespace Noether.Tests.Engine;

/// <summary>The GEMM (im2col) convolutions against their definitions written as plain loops.</summary>
public class ConvolutionReferenceTests
{
    public static IEnumerable<object[]> Seeds => Enumerable.Range(0, 12).Select(i => new object[] { i });

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2d_matches_the_direct_sum(int seed)
    {
        var rng = new Rng(100 + seed);
        int k = 1 + rng.NextInt(3), s = 1 + rng.NextInt(2), pad = rng.NextInt(2);
        int h = k + rng.NextInt(5), w = k + rng.NextInt(5), cin = 1 + rng.NextInt(3), cout = 1 + rng.NextInt(3), members = 1 + rng.NextInt(2), b = 2;
        var layer = new Conv2d<double>(members, cin, cout, k, s, pad);
        rng.FillNormal(layer.Weight.Value.Span, 0, 1);
        rng.FillNormal(layer.Bias!.Value.Span, 0, 1);
        var x = new Tensor<double>(members, b, cin, h, w); rng.FillNormal(x.Span, 0, 1);
        var shape = layer.OutputShape([cin, h, w]);
        var y = new Tensor<double>([members, b, .. shape]);
        layer.Forward(x, y, Compute.Serial);
        int ho = shape[1], wo = shape[2];
        for (int p = 0; p < members; p++)
            for (int n = 0; n < b; n++)
                for (int co = 0; co < cout; co++)
                    for (int oy = 0; oy < ho; oy++)
                        for (int ox = 0; ox < wo; ox++)
                        {
                            double sum = layer.Bias.Value[p, co];
                            for (int ci = 0; ci < cin; ci++)
                                for (int ky = 0; ky < k; ky++)
                                    for (int kx = 0; kx < k; kx++)
                                    {
                                        int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
                                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                        sum += x[(((p * b + n) * cin + ci) * h + iy) * w + ix] * layer.Weight.Value[(((p * cout + co) * cin + ci) * k + ky) * k + kx];
                                    }
                            Assert.Equal(sum, y[(((p * b + n) * cout + co) * ho + oy) * wo + ox], 10);
                        }
    }

    [Theory, MemberData(nameof(Seeds))]
    public void ConvTranspose2d_matches_the_direct_scatter(int seed)
    {
        var rng = new Rng(200 + seed);
        int k = 1 + rng.NextInt(4), s = 1 + rng.NextInt(3), pad = rng.NextInt(Math.Min(2, k));
        int h = 2 + rng.NextInt(3), w = 2 + rng.NextInt(3), cin = 1 + rng.NextInt(3), cout = 1 + rng.NextInt(3), members = 1 + rng.NextInt(2), b = 2;
        var layer = new ConvTranspose2d<double>(members, cin, cout, k, s, pad);
        rng.FillNormal(layer.Weight.Value.Span, 0, 1);
        rng.FillNormal(layer.Bias!.Value.Span, 0, 1);
        var x = new Tensor<double>(members, b, cin, h, w); rng.FillNormal(x.Span, 0, 1);
        var shape = layer.OutputShape([cin, h, w]);
        var y = new Tensor<double>([members, b, .. shape]);
        layer.Forward(x, y, Compute.Serial);
        int ho = shape[1], wo = shape[2];
        var expected = new double[y.Length];
        for (int p = 0; p < members; p++)
            for (int n = 0; n < b; n++)
            {
                for (int co = 0; co < cout; co++)
                    for (int i = 0; i < ho * wo; i++) expected[((p * b + n) * cout + co) * ho * wo + i] = layer.Bias.Value[p, co];
                for (int ci = 0; ci < cin; ci++)
                    for (int iy = 0; iy < h; iy++)
                        for (int ix = 0; ix < w; ix++)
                            for (int co = 0; co < cout; co++)
                                for (int ky = 0; ky < k; ky++)
                                    for (int kx = 0; kx < k; kx++)
                                    {
                                        int oy = iy * s - pad + ky, ox = ix * s - pad + kx;
                                        if (oy < 0 || oy >= ho || ox < 0 || ox >= wo) continue;
                                        expected[(((p * b + n) * cout + co) * ho + oy) * wo + ox] +=
                                            x[(((p * b + n) * cin + ci) * h + iy) * w + ix] * layer.Weight.Value[(((p * cin + ci) * cout + co) * k + ky) * k + kx];
                                    }
            }
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y[i], 10);
    }
}
