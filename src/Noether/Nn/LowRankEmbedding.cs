using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>
/// The token-to-image embedding of Liang et al.'s fix (arXiv 2501.18797; docs/experiments/compositional.md#full-profile-extras): for each
/// factor (x, then y) and each token t there are a spectrum λ_t ∈ R^G and factor matrices L_t, R_t ∈ R^{G×G}.
/// A code c (one-hot in the paper) mixes them linearly, λ = Σ_t c_t λ_t, L̃ = Σ_t c_t L_t, R̃ = Σ_t c_t R_t; L̃ is
/// scaled to unit-norm columns and R̃ to unit-norm rows (x / max(‖x‖, 1e-12)), and the embedding is
/// E = L̂ diag(λ) R̂ ∈ R^{G×G}. The two maps E_x, E_y are stacked as a 2-channel G×G image for a CNN.
/// Input [P, B, 2·tokens]; output [P, B, 2, G, G]. With the spectral-entropy and factor-variance penalties
/// (<c>Learning.LowRankEmbeddingPenalty</c>) E_x(x) becomes a stripe: the factors are rendered in pixel space.
/// </summary>
public sealed class LowRankEmbedding<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double NormFloor = 1e-12;
    private readonly Parameter<T>[] _parameters;
    private T[] _work = [];

    public LowRankEmbedding(int members, int tokens, int size, string name = "embedding") : base(members)
    {
        if (tokens < 1 || size < 1) throw new ArgumentException($"LowRankEmbedding: {tokens} tokens of size {size}; expected positive sizes");
        Tokens = tokens; Size = size;
        Spectrum = new Parameter<T>[2]; Left = new Parameter<T>[2]; Right = new Parameter<T>[2];
        string[] axis = ["x", "y"];
        for (int a = 0; a < 2; a++)
        {
            Spectrum[a] = new Parameter<T>($"{name}.spectrum_{axis[a]}", [members, tokens, size], ParameterRole.Other, tokens, size);
            Left[a] = new Parameter<T>($"{name}.left_{axis[a]}", [members, tokens, size, size], ParameterRole.Other, size, size);
            Right[a] = new Parameter<T>($"{name}.right_{axis[a]}", [members, tokens, size, size], ParameterRole.Other, size, size);
        }
        _parameters = [Spectrum[0], Spectrum[1], Left[0], Left[1], Right[0], Right[1]];
    }

    /// <summary>Tokens per factor (the grid size N for one-hot codes).</summary>
    public int Tokens { get; }
    /// <summary>G: the embedding is a G×G image.</summary>
    public int Size { get; }
    /// <summary>λ_t per factor (index 0 = x, 1 = y), [P, tokens, G].</summary>
    public Parameter<T>[] Spectrum { get; }
    /// <summary>L_t per factor, [P, tokens, G, G].</summary>
    public Parameter<T>[] Left { get; }
    /// <summary>R_t per factor, [P, tokens, G, G].</summary>
    public Parameter<T>[] Right { get; }
    public override IReadOnlyList<Parameter<T>> Parameters => _parameters;

    /// <summary>
    /// The repo's initialisation for one member: λ ~ N(0, 1/√G) (std 1/√G), L and R standard normal, then L
    /// scaled to unit-norm columns and R to unit-norm rows.
    /// </summary>
    public void Initialize(int member, Rng rng)
    {
        int g = Size;
        for (int a = 0; a < 2; a++)
        {
            rng.FillNormal(Spectrum[a].Value.SliceSpan(member), 0, 1 / Math.Sqrt(g));
            var l = Left[a].Value.SliceSpan(member); var r = Right[a].Value.SliceSpan(member);
            rng.FillNormal(l, 0, 1);
            rng.FillNormal(r, 0, 1);
            for (int t = 0; t < Tokens; t++)
            {
                var lt = l.Slice(t * g * g, g * g); var rt = r.Slice(t * g * g, g * g);
                for (int j = 0; j < g; j++)
                {
                    double cn = 0, rn = 0;
                    for (int i = 0; i < g; i++) { cn += double.CreateChecked(lt[i * g + j] * lt[i * g + j]); rn += double.CreateChecked(rt[j * g + i] * rt[j * g + i]); }
                    T ci = T.CreateChecked(1 / Math.Sqrt(cn)), ri = T.CreateChecked(1 / Math.Sqrt(rn));
                    for (int i = 0; i < g; i++) { lt[i * g + j] *= ci; rt[j * g + i] *= ri; }
                }
            }
        }
    }

    public override int[] OutputShape(int[] sampleShape)
    {
        Shapes.Require(sampleShape.Length == 1 && sampleShape[0] == 2 * Tokens, Name, $"[{2 * Tokens}] per sample (x code ⊕ y code)", sampleShape);
        return [2, Size, Size];
    }

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute)
    {
        RequireInput(x, [2 * Tokens]);
        int b = x.Shape[1], gg = Size * Size;
        var w = Work();
        for (int p = 0; p < Members; p++)
        {
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            for (int n = 0; n < b; n++)
                for (int a = 0; a < 2; a++)
                {
                    var code = xs.Slice(n * 2 * Tokens + a * Tokens, Tokens);
                    var parts = Embed(p, a, code, w);
                    Gemm.Multiply(false, false, Size, Size, Size, parts.LHat, parts.M, ys.Slice((2 * n + a) * gg, gg));
                }
        }
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        int b = x.Shape[1], g = Size, gg = g * g;
        var w = Work();
        foreach (var prm in _parameters) prm.Grad.Clear();
        for (int p = 0; p < Members; p++)
        {
            var xs = x.SliceSpan(p); var gys = dy.SliceSpan(p);
            var gxs = dx is null ? default : dx.SliceSpan(p);
            for (int n = 0; n < b; n++)
                for (int a = 0; a < 2; a++)
                {
                    var code = xs.Slice(n * 2 * Tokens + a * Tokens, Tokens);
                    var parts = Embed(p, a, code, w);
                    var dE = gys.Slice((2 * n + a) * gg, gg);
                    var dLHat = w.AsSpan(6 * gg, gg); var dM = w.AsSpan(7 * gg, gg);
                    // E = L̂·M with M = diag(λ)·R̂: ∂L̂ = ∂E·Mᵀ, ∂M = L̂ᵀ·∂E.
                    Gemm.Multiply(false, true, g, g, g, dE, parts.M, dLHat);
                    Gemm.Multiply(true, false, g, g, g, parts.LHat, dE, dM);
                    var dLambda = w.AsSpan(8 * gg, g);
                    var dRHat = dM; // reused in place: ∂R̂[j,k] = λ_j·∂M[j,k] after ∂λ_j = Σ_k ∂M[j,k]·R̂[j,k]
                    for (int j = 0; j < g; j++)
                    {
                        dLambda[j] = System.Numerics.Tensors.TensorPrimitives.Dot<T>(dM.Slice(j * g, g), parts.RHat.Slice(j * g, g));
                        System.Numerics.Tensors.TensorPrimitives.Multiply(dM.Slice(j * g, g), parts.Lambda[j], dRHat.Slice(j * g, g));
                    }
                    // Through the normalisations: for u = v/‖v‖, ∂v = (∂u − u⟨u, ∂u⟩)/‖v‖.
                    UnnormalizeColumns(parts.LHat, dLHat, parts.ColumnNorms, g);
                    UnnormalizeRows(parts.RHat, dRHat, parts.RowNorms, g);
                    var spectrum = Spectrum[a]; var left = Left[a]; var right = Right[a];
                    var gl = Spectrum[a].Grad.SliceSpan(p); var gL = left.Grad.SliceSpan(p); var gR = right.Grad.SliceSpan(p);
                    var vl = spectrum.Value.SliceSpan(p); var vL = left.Value.SliceSpan(p); var vR = right.Value.SliceSpan(p);
                    for (int t = 0; t < Tokens; t++)
                    {
                        T c = code[t];
                        if (c != T.Zero)
                        {
                            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(dLambda, c, gl.Slice(t * g, g), gl.Slice(t * g, g));
                            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(dLHat, c, gL.Slice(t * gg, gg), gL.Slice(t * gg, gg));
                            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(dRHat, c, gR.Slice(t * gg, gg), gR.Slice(t * gg, gg));
                        }
                        if (dx is null) continue;
                        gxs[n * 2 * Tokens + a * Tokens + t] =
                            System.Numerics.Tensors.TensorPrimitives.Dot<T>(vl.Slice(t * g, g), dLambda)
                            + System.Numerics.Tensors.TensorPrimitives.Dot<T>(vL.Slice(t * gg, gg), dLHat)
                            + System.Numerics.Tensors.TensorPrimitives.Dot<T>(vR.Slice(t * gg, gg), dRHat);
                    }
                }
        }
    }

    private readonly ref struct Embedding(Span<T> lHat, Span<T> rHat, Span<T> m, Span<T> lambda, Span<T> columnNorms, Span<T> rowNorms)
    {
        public readonly Span<T> LHat = lHat, RHat = rHat, M = m, Lambda = lambda, ColumnNorms = columnNorms, RowNorms = rowNorms;
    }

    /// <summary>Mixes the tokens of factor <paramref name="a"/> by <paramref name="code"/> and normalises; workspace layout [L̂ | R̂ | M | λ, norms | …].</summary>
    private Embedding Embed(int p, int a, ReadOnlySpan<T> code, T[] w)
    {
        int g = Size, gg = g * g;
        var lHat = w.AsSpan(0, gg); var rHat = w.AsSpan(gg, gg); var m = w.AsSpan(2 * gg, gg);
        var lambda = w.AsSpan(3 * gg, g); var colNorms = w.AsSpan(3 * gg + g, g); var rowNorms = w.AsSpan(3 * gg + 2 * g, g);
        lHat.Clear(); rHat.Clear(); lambda.Clear();
        var vl = Spectrum[a].Value.SliceSpan(p); var vL = Left[a].Value.SliceSpan(p); var vR = Right[a].Value.SliceSpan(p);
        for (int t = 0; t < Tokens; t++)
        {
            T c = code[t];
            if (c == T.Zero) continue;
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(vl.Slice(t * g, g), c, lambda, lambda);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(vL.Slice(t * gg, gg), c, lHat, lHat);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(vR.Slice(t * gg, gg), c, rHat, rHat);
        }
        T floor = T.CreateChecked(NormFloor);
        for (int j = 0; j < g; j++)
        {
            T cn = T.Zero;
            for (int i = 0; i < g; i++) cn += lHat[i * g + j] * lHat[i * g + j];
            colNorms[j] = T.Max(T.Sqrt(cn), floor);
            for (int i = 0; i < g; i++) lHat[i * g + j] /= colNorms[j];
            var row = rHat.Slice(j * g, g);
            rowNorms[j] = T.Max(System.Numerics.Tensors.TensorPrimitives.Norm<T>(row), floor);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, rowNorms[j], row);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, lambda[j], m.Slice(j * g, g));
        }
        return new Embedding(lHat, rHat, m, lambda, colNorms, rowNorms);
    }

    private static void UnnormalizeColumns(ReadOnlySpan<T> u, Span<T> du, ReadOnlySpan<T> norms, int g)
    {
        T floor = T.CreateChecked(NormFloor);
        for (int j = 0; j < g; j++)
        {
            // Below the floor the map is v/floor: a plain scaling.
            T dot = T.Zero;
            bool scaled = norms[j] > floor;
            if (scaled) for (int i = 0; i < g; i++) dot += u[i * g + j] * du[i * g + j];
            for (int i = 0; i < g; i++) du[i * g + j] = (du[i * g + j] - u[i * g + j] * dot) / norms[j];
        }
    }

    private static void UnnormalizeRows(ReadOnlySpan<T> u, Span<T> du, ReadOnlySpan<T> norms, int g)
    {
        T floor = T.CreateChecked(NormFloor);
        for (int j = 0; j < g; j++)
        {
            var ur = u.Slice(j * g, g); var dr = du.Slice(j * g, g);
            T dot = norms[j] > floor ? System.Numerics.Tensors.TensorPrimitives.Dot<T>(ur, dr) : T.Zero;
            for (int i = 0; i < g; i++) dr[i] = (dr[i] - ur[i] * dot) / norms[j];
        }
    }

    private T[] Work()
    {
        int need = 9 * Size * Size;
        if (_work.Length < need) _work = new T[need];
        return _work;
    }
}
