using Noether.Data;
using Noether.Tensors;
using Xunit;

namespace Noether.Tests.Data;

public sealed class BatchSamplerTests
{
    [Theory]
    [InlineData(10, 3, false)]
    [InlineData(10, 5, false)]
    [InlineData(10, 3, true)]
    [InlineData(1, 1, false)]
    public void Each_epoch_visits_examples_without_replacement(int n, int batch, bool dropLast)
    {
        var sampler = new BatchSampler(n, batch, new Rng(9).Child("data.batches"), dropLast);
        var buffer = new int[batch];
        var epochs = new List<List<int>>();
        for (int e = 0; e < 4; e++)
        {
            var seen = new List<int>();
            for (int b = 0; b < sampler.BatchesPerEpoch; b++)
            {
                int got = sampler.Next(buffer);
                Assert.True(got == batch || (!dropLast && b == sampler.BatchesPerEpoch - 1));
                seen.AddRange(buffer[..got]);
            }
            Assert.Equal(seen.Count, seen.Distinct().Count());
            Assert.Equal(dropLast ? n / batch * batch : n, seen.Count);
            epochs.Add(seen);
        }
        Assert.Equal(3, sampler.Epoch);
        if (n >= 5 && !dropLast) Assert.NotEqual(epochs[0], epochs[1]);
    }

    [Fact]
    public void Same_stream_gives_same_batches()
    {
        var a = new BatchSampler(50, 8, new Rng(1).Child("data.batches"));
        var b = new BatchSampler(50, 8, new Rng(1).Child("data.batches"));
        var x = new int[8]; var y = new int[8];
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(a.Next(x), b.Next(y));
            Assert.Equal(x, y);
        }
    }

    [Fact]
    public void Next_and_gather_do_not_allocate()
    {
        var data = new Tensor<float>(64, 5);
        var labels = Enumerable.Range(0, 64).Select(i => i % 4).ToArray();
        var sampler = new BatchSampler(64, 16, new Rng(2));
        var idx = new int[16];
        var xb = new Tensor<float>(16, 5);
        var yb = new int[16];
        var ob = new Tensor<float>(16, 4);
        for (int i = 0; i < 10; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Step();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());

        void Step()
        {
            int n = sampler.Next(idx);
            BatchGather.Rows(data, idx.AsSpan(0, n), xb);
            BatchGather.Labels(labels, idx.AsSpan(0, n), yb);
            BatchGather.OneHot(labels, idx.AsSpan(0, n), ob);
        }
    }

    [Fact]
    public void Gather_copies_the_indexed_rows()
    {
        var src = Tensor<double>.FromDoubles([0, 1, 10, 11, 20, 21], 3, 2);
        var dst = new Tensor<double>(2, 2);
        BatchGather.Rows(src, [2, 0], dst);
        Assert.Equal([20.0, 21, 0, 1], dst.ToDoubles());
        var oh = new Tensor<double>(2, 3);
        BatchGather.OneHot([2, 0, 1], [0, 2], oh);
        Assert.Equal([0.0, 0, 1, 0, 1, 0], oh.ToDoubles());
    }

    [Fact]
    public void Bad_batch_size_is_an_error()
    {
        OneLineMessage.Throws(() => new BatchSampler(10, 11, new Rng(1)), "batch size 11", "expected 1..10");
    }
}
