using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Noether.Tensors;

/// <summary>
/// tanh over float64 arrays, three to four times as fast as <c>TensorPrimitives.Tanh</c> for doubles, within 3 ulp of
/// <see cref="Math.Tanh(double)"/> (tested). With a = min(|x|, 20): tanh x = sign(x)·(−u / (2 + u)), u = expm1(−2a) ∈ (−1, 0],
/// so nothing cancels for small x. expm1(y) = 2^k·p + (2^k − 1) with y = k·ln 2 + r, |r| ≤ ln 2 / 2, and p = expm1(r) by
/// its Taylor series to r¹³, evaluated by Estrin's scheme (short dependency chains; the first term left out is below
/// 10⁻¹⁷ of p). 1 − tanh 20 is below half an ulp of 1, so a larger |x| gives ±1 as well; NaN stays NaN.
/// The 512-bit, 256-bit and scalar forms do the same IEEE operations in the same order (fused multiply-adds included),
/// so every element has the same value whichever form, width or split computes it.
/// </summary>
public static class DoubleTanh
{
    private const double Ln2Hi = 0.6931471805599453;      // the double nearest ln 2
    private const double Ln2Lo = 2.3190468138462996e-17;  // ln 2 − Ln2Hi
    private const double InvLn2 = 1.4426950408889634;
    // Adding 1.5·2⁵² rounds a value of magnitude below 2⁵¹ to an integer, held in the low bits of the sum.
    private const double Shifter = 6755399441055744.0;
    private const double Saturation = 20;
    private const double C2 = 1.0 / 2, C3 = 1.0 / 6, C4 = 1.0 / 24, C5 = 1.0 / 120, C6 = 1.0 / 720, C7 = 1.0 / 5040,
        C8 = 1.0 / 40320, C9 = 1.0 / 362880, C10 = 1.0 / 3628800, C11 = 1.0 / 39916800, C12 = 1.0 / 479001600, C13 = 1.0 / 6227020800;

    /// <summary>y[i] = tanh(x[i]) with the process's vector width; x and y may be the same span.</summary>
    public static void Apply(ReadOnlySpan<double> x, Span<double> y) => Apply(ProcessVectorWidth.Current, x, y);

    /// <summary>y[i] = tanh(x[i]) with vectors of the given width (the values do not depend on it).</summary>
    public static void Apply(VectorWidth width, ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length < x.Length) throw new ArgumentException($"DoubleTanh: {y.Length} outputs for {x.Length} inputs");
        int i = 0;
        ref double x0 = ref MemoryMarshal.GetReference(x), y0 = ref MemoryMarshal.GetReference(y);
        // 512-bit vectors on Zen 4 (one scheduler entry for eight values): 1.10 ns per value against 1.49 with 256-bit ones.
        if (width == VectorWidth.Bits512 && Vector512.IsHardwareAccelerated)
            for (; i <= x.Length - Vector512<double>.Count; i += Vector512<double>.Count)
                Of(Vector512.LoadUnsafe(ref x0, (nuint)i)).StoreUnsafe(ref y0, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= x.Length - Vector256<double>.Count; i += Vector256<double>.Count)
                Of(Vector256.LoadUnsafe(ref x0, (nuint)i)).StoreUnsafe(ref y0, (nuint)i);
        for (; i < x.Length; i++) y[i] = Of(x[i]);
    }

    /// <summary>tanh of one value, by the operations of the vector forms.</summary>
    public static double Of(double x)
    {
        double y = -2 * Math.Min(Math.Abs(x), Saturation);
        double shifted = Math.FusedMultiplyAdd(y, InvLn2, Shifter);
        double k = shifted - Shifter;
        double r = Math.FusedMultiplyAdd(k, -Ln2Lo, Math.FusedMultiplyAdd(k, -Ln2Hi, y));
        double r2 = r * r, r4 = r2 * r2;
        double q = Math.FusedMultiplyAdd(
            Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(C13, r, C12), r2, Math.FusedMultiplyAdd(C11, r, C10)), r4 * r4,
            Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(C9, r, C8), r2, Math.FusedMultiplyAdd(C7, r, C6)), r4,
                Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(C5, r, C4), r2, Math.FusedMultiplyAdd(C3, r, C2))));
        double p = Math.FusedMultiplyAdd(q, r2, r);
        double s = BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(shifted) - BitConverter.DoubleToInt64Bits(Shifter) + 1023) << 52);
        double u = Math.FusedMultiplyAdd(s, p, s - 1);
        double t = -u / (2 + u);
        return double.IsNaN(x) ? x : Math.CopySign(t, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Of(Vector512<double> x)
    {
        var y = Vector512.Create(-2.0) * Vector512.Min(Vector512.Abs(x), Vector512.Create(Saturation));
        var shifted = Vector512.FusedMultiplyAdd(y, Vector512.Create(InvLn2), Vector512.Create(Shifter));
        var k = shifted - Vector512.Create(Shifter);
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Lo), Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Hi), y));
        var r2 = r * r;
        var r4 = r2 * r2;
        var q = Vector512.FusedMultiplyAdd(
            Vector512.FusedMultiplyAdd(Fma(C13, r, C12), r2, Fma(C11, r, C10)), r4 * r4,
            Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Fma(C9, r, C8), r2, Fma(C7, r, C6)), r4,
                Vector512.FusedMultiplyAdd(Fma(C5, r, C4), r2, Fma(C3, r, C2))));
        var p = Vector512.FusedMultiplyAdd(q, r2, r);
        var s = ((shifted.AsInt64() - Vector512.Create(Shifter).AsInt64() + Vector512.Create(1023L)) << 52).AsDouble();
        var u = Vector512.FusedMultiplyAdd(s, p, s - Vector512<double>.One);
        var t = -u / (Vector512.Create(2.0) + u);
        var signed = Vector512.ConditionalSelect(Vector512.Create(-0.0), x, Vector512.Abs(t));
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), signed, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Of(Vector256<double> x)
    {
        var y = Vector256.Create(-2.0) * Vector256.Min(Vector256.Abs(x), Vector256.Create(Saturation));
        var shifted = Vector256.FusedMultiplyAdd(y, Vector256.Create(InvLn2), Vector256.Create(Shifter));
        var k = shifted - Vector256.Create(Shifter);
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Lo), Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Hi), y));
        var r2 = r * r;
        var r4 = r2 * r2;
        var q = Vector256.FusedMultiplyAdd(
            Vector256.FusedMultiplyAdd(Fma(C13, r, C12), r2, Fma(C11, r, C10)), r4 * r4,
            Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Fma(C9, r, C8), r2, Fma(C7, r, C6)), r4,
                Vector256.FusedMultiplyAdd(Fma(C5, r, C4), r2, Fma(C3, r, C2))));
        var p = Vector256.FusedMultiplyAdd(q, r2, r);
        var s = ((shifted.AsInt64() - Vector256.Create(Shifter).AsInt64() + Vector256.Create(1023L)) << 52).AsDouble();
        var u = Vector256.FusedMultiplyAdd(s, p, s - Vector256<double>.One);
        var t = -u / (Vector256.Create(2.0) + u);
        var signed = Vector256.ConditionalSelect(Vector256.Create(-0.0), x, Vector256.Abs(t));
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), signed, x);
    }

    private static Vector512<double> Fma(double a, Vector512<double> x, double b) => Vector512.FusedMultiplyAdd(Vector512.Create(a), x, Vector512.Create(b));
    private static Vector256<double> Fma(double a, Vector256<double> x, double b) => Vector256.FusedMultiplyAdd(Vector256.Create(a), x, Vector256.Create(b));
}
