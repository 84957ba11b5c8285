using Noether.Nn;
using Noether.Tensors;

namespace Noether.Tests.Engine;

/// <summary>
/// A Sequential whose layers all run by member does a whole pass one member range per thread. Each member's
/// activations, errors and parameter gradients must equal the one-thread pass bit for bit, whatever the thread
/// count, including populations that do not divide evenly and networks too small to split.
/// </summary>
public class MemberPassTests
{
    private static Sequential<double> Build(int members, int[] widths, string activation, int threads, bool prelu)
    {
        var layers = new List<Layer<double>>();
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            layers.Add(new Linear<double>(members, widths[i], widths[i + 1], name: "l" + i));
            if (i + 2 < widths.Length)
                layers.Add(prelu && i == 0 ? new PRelu<double>(members, widths[i + 1]) : Activations.Create<double>(activation, members, widths[i + 1]));
        }
        var net = new Sequential<double>(members, [widths[0]], layers, new Compute(threads)) { ComputeInputGradient = true };
        net.Initialize(InitScheme.TorchDefault, Enumerable.Range(0, members).Select(m => new Rng(100 + m).Child("init")).ToArray());
        return net;
    }

    private static double[] Pass(Sequential<double> net, int batch)
    {
        var rng = new Rng(7);
        var x = new Tensor<double>(net.Members, batch, net.InputShape[0]);
        rng.FillNormal(x.Span, 0, 1);
        var y = net.Forward(x);
        var dy = net.OutputGradientBuffer(batch);
        rng.FillNormal(dy.Span, 0, 1);
        net.Backward(dy);
        var all = new List<double>();
        for (int i = 0; i <= net.Layers.Count; i++)
        {
            all.AddRange(net.Activation(i).ReadOnlySpan.ToArray());
            all.AddRange(net.Gradient(i).ReadOnlySpan.ToArray());
        }
        foreach (var p in net.Parameters) all.AddRange(p.Grad.ReadOnlySpan.ToArray());
        all.AddRange(y.ReadOnlySpan.ToArray());
        return all.ToArray();
    }

    [Theory]
    [InlineData(5, 2, "tanh", false, 9)]
    [InlineData(5, 3, "relu", true, 9)]
    [InlineData(2, 2, "leaky_relu", false, 16)]
    [InlineData(7, 4, "sigmoid", true, 12)]
    [InlineData(3, 2, "tanh", false, 1)] // 1 sample × 1 output = 8 bytes per member: too small to split, the per-kernel path runs
    public void A_pass_split_by_member_equals_the_one_thread_pass(int members, int threads, string activation, bool prelu, int batch)
    {
        int[] widths = [5, 17, 11, 1];
        var serial = Pass(Build(members, widths, activation, 1, prelu), batch);
        var split = Pass(Build(members, widths, activation, threads, prelu), batch);
        Assert.Equal(serial, split);
    }

    [Theory]
    [InlineData("tanh", 2), InlineData("sigmoid", 3), InlineData("relu", 2), InlineData("leaky_relu", 3), InlineData("identity", 2)]
    public void A_single_networks_activation_split_into_element_ranges_equals_the_one_thread_pass(string activation, int threads)
    {
        // One network (nothing to split by member): an activation over at least 128 KB runs in element ranges, one per
        // thread; float and double, forward and backward, bit for bit against one thread. 300 × 257 values is not a
        // multiple of any vector width, so the last range ends in a partial vector.
        Same<float>(); Same<double>();

        void Same<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            T[] Run(int t)
            {
                var layer = Activations.Create<T>(activation, 1, 257);
                var rng = new Rng(31);
                var x = new Tensor<T>(1, 300, 257); var y = new Tensor<T>(1, 300, 257);
                var dy = new Tensor<T>(1, 300, 257); var dx = new Tensor<T>(1, 300, 257);
                rng.FillNormal(x.Span, 0, 2); rng.FillNormal(dy.Span, 0, 1);
                layer.Forward(x, y, new Compute(t));
                layer.Backward(x, y, dy, dx, new Compute(t));
                return [.. y.ReadOnlySpan, .. dx.ReadOnlySpan];
            }
            Assert.Equal(Run(1), Run(threads));
        }
    }

    [Fact]
    public void Only_layers_whose_work_is_per_member_claim_to_run_by_member()
    {
        Assert.True(new Linear<float>(2, 3, 4).RunsByMember);
        Assert.True(new Tanh<float>(2).RunsByMember);
        Assert.True(new PRelu<float>(2, 4).RunsByMember);
        Assert.False(new Reshape<float>(2, [4]).RunsByMember);
        Assert.Throws<NotSupportedException>(() => new Reshape<float>(2, [4]).ForwardMembers(new Tensor<float>(2, 1, 4), new Tensor<float>(2, 1, 4), 0, 1));
    }
}
