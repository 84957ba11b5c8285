using Noether.Tensors;

namespace Noether.Tests.Engine;

/// <summary>Aligned tensors of 4 KB and more start on a 64-byte boundary; every accessor sees element 0 at the offset, not at Data[0].</summary>
public class TensorStorageTests
{
    private static unsafe long Address<T>(Tensor<T> t) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        fixed (T* p = t.Span) return (long)p;
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(1031)]
    [InlineData(70_000)]
    public void A_large_tensor_starts_on_a_cache_line(int length)
    {
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(0, Address(Tensor<float>.Aligned(length)) % 64);
            Assert.Equal(0, Address(Tensor<double>.Aligned(2, length / 2)) % 64);
        }
    }

    [Fact]
    public void Accessors_and_views_see_the_tensor_from_its_offset()
    {
        var t = Tensor<double>.Aligned(2, 1024);
        for (int i = 0; i < t.Length; i++) t[i] = i;
        Assert.Equal(2048, t.Span.Length);
        Assert.Equal(5.0, t[5]);
        Assert.Equal(1024.0 + 7, t[1, 7]);
        Assert.Equal(1024.0, t.SliceSpan(1)[0]);
        Assert.Equal(1030.0, t.Slice(1)[6]);
        Assert.Equal(3.0, t.Reshape(2048)[3]);
        Assert.Equal(t.Data[t.Offset], t.Span[0]);
        Assert.All(t.ReadOnlySpan.ToArray(), v => Assert.True(v >= 0));
        Assert.Equal(new double[5], Tensor<double>.Aligned(5).ReadOnlySpan.ToArray());
    }
}
