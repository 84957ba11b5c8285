using System.Numerics;

namespace Noether.Nn;

/// <summary>
/// The im2col / col2im pair that turns a convolution into one GEMM per sample. A "large" image
/// [C, H, W] and a "small" grid [h, w] are tied by position = small·stride − padding + kernel offset
/// (the Conv2d output grid over its input, or the ConvTranspose2d input grid over its output);
/// the column matrix is [(c, ky, kx), (sy, sx)] row-major, zero where the position falls outside.
/// </summary>
internal static class ConvolutionColumns
{
    /// <summary>cols[(c,ky,kx),(sy,sx)] = large[c, sy·s − p + ky, sx·s − p + kx] (0 outside).</summary>
    public static void Gather<T>(ReadOnlySpan<T> large, int channels, int height, int width, int smallH, int smallW,
        int kernel, int stride, int padding, Span<T> cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int plane = smallH * smallW;
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < kernel; ky++)
                for (int kx = 0; kx < kernel; kx++)
                {
                    var row = cols.Slice(((c * kernel + ky) * kernel + kx) * plane, plane);
                    for (int sy = 0; sy < smallH; sy++)
                    {
                        int y = sy * stride - padding + ky;
                        var dst = row.Slice(sy * smallW, smallW);
                        if ((uint)y >= (uint)height) { dst.Clear(); continue; }
                        var src = large.Slice((c * height + y) * width, width);
                        for (int sx = 0; sx < smallW; sx++)
                        {
                            int x = sx * stride - padding + kx;
                            dst[sx] = (uint)x < (uint)width ? src[x] : T.Zero;
                        }
                    }
                }
    }

    /// <summary>The adjoint of <see cref="Gather{T}"/>: large[c, sy·s − p + ky, sx·s − p + kx] += cols[(c,ky,kx),(sy,sx)].</summary>
    public static void ScatterAdd<T>(ReadOnlySpan<T> cols, int channels, int height, int width, int smallH, int smallW,
        int kernel, int stride, int padding, Span<T> large) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int plane = smallH * smallW;
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < kernel; ky++)
                for (int kx = 0; kx < kernel; kx++)
                {
                    var row = cols.Slice(((c * kernel + ky) * kernel + kx) * plane, plane);
                    for (int sy = 0; sy < smallH; sy++)
                    {
                        int y = sy * stride - padding + ky;
                        if ((uint)y >= (uint)height) continue;
                        var src = row.Slice(sy * smallW, smallW);
                        var dst = large.Slice((c * height + y) * width, width);
                        for (int sx = 0; sx < smallW; sx++)
                        {
                            int x = sx * stride - padding + kx;
                            if ((uint)x < (uint)width) dst[x] += src[sx];
                        }
                    }
                }
    }

    /// <summary>True when the column matrix equals the image itself (1×1 kernel, stride 1, no padding).</summary>
    public static bool IsIdentity(int kernel, int stride, int padding) => kernel == 1 && stride == 1 && padding == 0;
}
