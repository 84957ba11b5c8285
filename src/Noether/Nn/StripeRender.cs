using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>
/// Forced rendering of a two-factor code in pixel space (Liang et al., arXiv 2501.18797; the hard-constrained
/// stripe model of docs/experiments/compositional.md#models-quick-profile, a rank-1 case of the low-rank embedding): the first half c_x of the input selects a
/// column profile a = E_xᵀ c_x ∈ R^W, the second half c_y a row profile b = E_yᵀ c_y ∈ R^H, and the output is
/// the two-channel image with channel 0 (i, j) = a_j (constant down each column: a vertical stripe for a
/// one-hot c_x) and channel 1 (i, j) = b_i (a horizontal stripe). A pixelwise network composes the two.
/// Input [P, B, 2·code]; output [P, B, 2, H, W]; parameters E_x [P, code, W] and E_y [P, code, H].
/// </summary>
public sealed class StripeRender<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;
    private T[] _profiles = [];

    public StripeRender(int members, int codeWidth, int height, int width, string name = "stripes") : base(members)
    {
        if (codeWidth < 1 || height < 1 || width < 1)
            throw new ArgumentException($"StripeRender: code width {codeWidth}, image {height}×{width}; expected positive sizes");
        Code = codeWidth; Height = height; Width = width;
        Columns = new Parameter<T>(name + ".columns", [members, codeWidth, width], ParameterRole.Weight, codeWidth, width);
        Rows = new Parameter<T>(name + ".rows", [members, codeWidth, height], ParameterRole.Weight, codeWidth, height);
        _parameters = [Columns, Rows];
    }

    /// <summary>Width of each half of the input code.</summary>
    public int Code { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>E_x: the column profile each x-code unit renders.</summary>
    public Parameter<T> Columns { get; }
    /// <summary>E_y: the row profile each y-code unit renders.</summary>
    public Parameter<T> Rows { get; }
    public override IReadOnlyList<Parameter<T>> Parameters => _parameters;

    public override int[] OutputShape(int[] sampleShape)
    {
        Shapes.Require(sampleShape.Length == 1 && sampleShape[0] == 2 * Code, Name, $"[{2 * Code}] per sample (x code ⊕ y code)", sampleShape);
        return [2, Height, Width];
    }

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute)
    {
        RequireInput(x, [2 * Code]);
        int b = x.Shape[1], plane = Height * Width;
        var prof = Profiles(b);
        for (int p = 0; p < Members; p++)
        {
            Project(x.SliceSpan(p), b, p, prof);
            var ys = y.SliceSpan(p);
            for (int n = 0; n < b; n++)
            {
                var a = prof.AsSpan(n * (Width + Height), Width);
                var r = prof.AsSpan(n * (Width + Height) + Width, Height);
                var cols = ys.Slice((2 * n) * plane, plane);
                var rows = ys.Slice((2 * n + 1) * plane, plane);
                for (int i = 0; i < Height; i++)
                {
                    a.CopyTo(cols.Slice(i * Width, Width));
                    rows.Slice(i * Width, Width).Fill(r[i]);
                }
            }
        }
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        int b = x.Shape[1], plane = Height * Width;
        var grads = Profiles(b);
        for (int p = 0; p < Members; p++)
        {
            var gys = dy.SliceSpan(p);
            // ∂a_j = Σ_i ∂y[0, i, j]; ∂b_i = Σ_j ∂y[1, i, j].
            for (int n = 0; n < b; n++)
            {
                var da = grads.AsSpan(n * (Width + Height), Width);
                var db = grads.AsSpan(n * (Width + Height) + Width, Height);
                da.Clear();
                var cols = gys.Slice((2 * n) * plane, plane);
                var rows = gys.Slice((2 * n + 1) * plane, plane);
                for (int i = 0; i < Height; i++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(da, cols.Slice(i * Width, Width), da);
                    db[i] = System.Numerics.Tensors.TensorPrimitives.Sum<T>(rows.Slice(i * Width, Width));
                }
            }
            var xs = x.SliceSpan(p);
            var ex = Columns.Value.SliceSpan(p); var ey = Rows.Value.SliceSpan(p);
            var gx = Columns.Grad.SliceSpan(p); var gy = Rows.Grad.SliceSpan(p);
            gx.Clear(); gy.Clear();
            var gxs = dx is null ? default : dx.SliceSpan(p);
            for (int n = 0; n < b; n++)
            {
                var code = xs.Slice(n * 2 * Code, 2 * Code);
                var da = grads.AsSpan(n * (Width + Height), Width);
                var db = grads.AsSpan(n * (Width + Height) + Width, Height);
                for (int c = 0; c < Code; c++)
                {
                    // ∂E_x[c, :] += c_x[c]·∂a; ∂c_x[c] = ⟨E_x[c, :], ∂a⟩ (and likewise for y).
                    if (code[c] != T.Zero) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(da, code[c], gx.Slice(c * Width, Width), gx.Slice(c * Width, Width));
                    if (code[Code + c] != T.Zero) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(db, code[Code + c], gy.Slice(c * Height, Height), gy.Slice(c * Height, Height));
                    if (dx is null) continue;
                    gxs[n * 2 * Code + c] = System.Numerics.Tensors.TensorPrimitives.Dot<T>(ex.Slice(c * Width, Width), da);
                    gxs[n * 2 * Code + Code + c] = System.Numerics.Tensors.TensorPrimitives.Dot<T>(ey.Slice(c * Height, Height), db);
                }
            }
        }
    }

    /// <summary>a = E_xᵀ c_x and b = E_yᵀ c_y of member p for every sample, stored [B, W + H]; zero code entries are skipped.</summary>
    private void Project(ReadOnlySpan<T> xs, int b, int p, T[] prof)
    {
        var ex = Columns.Value.SliceSpan(p); var ey = Rows.Value.SliceSpan(p);
        for (int n = 0; n < b; n++)
        {
            var code = xs.Slice(n * 2 * Code, 2 * Code);
            var a = prof.AsSpan(n * (Width + Height), Width);
            var r = prof.AsSpan(n * (Width + Height) + Width, Height);
            a.Clear(); r.Clear();
            for (int c = 0; c < Code; c++)
            {
                if (code[c] != T.Zero) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ex.Slice(c * Width, Width), code[c], a, a);
                if (code[Code + c] != T.Zero) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ey.Slice(c * Height, Height), code[Code + c], r, r);
            }
        }
    }

    private T[] Profiles(int batch)
    {
        int need = batch * (Width + Height);
        if (_profiles.Length < need) _profiles = new T[need];
        return _profiles;
    }
}
