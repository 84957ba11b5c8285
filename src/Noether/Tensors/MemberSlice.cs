using System.Numerics;
namespace Noether.Tensors;

/// <summary>Copies one population member's slice of a [P, ...] tensor into a float64 tensor, the precision probes work in.</summary>
public static class MemberSlice
{
    /// <summary>Member <paramref name="member"/> of <paramref name="t"/> as a new Tensor&lt;double&gt; of shape t.Shape[1..].</summary>
    public static Tensor<double> ToDouble<T>(Tensor<T> t, int member) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var src = t.SliceSpan(member);
        var r = new Tensor<double>(t.Shape[1..]);
        var dst = r.Span;
        for (int i = 0; i < dst.Length; i++) dst[i] = double.CreateChecked(src[i]);
        return r;
    }
}
