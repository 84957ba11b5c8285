using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;
using Xunit;
using static Noether.Tests.Learning.RuleFixture;

namespace Noether.Tests.Learning;

/// <summary>
/// A stack whose rules form the signal and prepare the step member by member runs those phases one member range per
/// thread: the same weights and feedback, bit for bit, as on one thread. A rule with a whole-population phase keeps the
/// stack serial.
/// </summary>
public class RuleStackThreadTests
{
    private static (Sequential<double> Net, Tensor<double> Feedback) Train(int threads, bool mask)
    {
        // 10 members of 2048 float64 weights each (160 KB): worth splitting; the ranges hold 5 members each with 2 threads.
        const int members = 10;
        var net = Net(members, [16, 64, 16], bias: false);
        net.Compute = new Compute(threads);
        double[] c = [1, 1, 0.3, -1, 2, 1, 0.5, -0.5, 1, 3];
        var dendritic = PlasticFeedback<double>.Dendritic(net, Streams(9), c, Enumerable.Repeat(1e-2, members).ToArray());
        LearningRule<double>[] rules = mask
            ? [dendritic, new ConnectivityMask<double>(net, Streams(4), Enumerable.Repeat(0.5, members).ToArray(), Enumerable.Repeat(0.7, members).ToArray()), new CoupledL2<double>(net, Enumerable.Repeat(1e-3, members).ToArray())]
            : [dendritic, new CoupledL2<double>(net, Enumerable.Repeat(1e-3, members).ToArray())];
        var t = Trainer(net, RandomData(members, 128, 16, 16), 0.05, 32);
        t.Use(new RuleStack<double>(rules));
        for (int s = 0; s < 12; s++) t.StepOnce();
        return (net, net.Linears.Last().Feedback!);
    }

    [Theory, InlineData(false), InlineData(true)]
    public void Member_by_member_phases_on_two_threads_equal_one_thread(bool mask)
    {
        var (a, fa) = Train(1, mask);
        var (b, fb) = Train(2, mask);
        AssertSameParameters(a, b);
        Assert.Equal(fa.Span.ToArray(), fb.Span.ToArray());
    }

    [Fact]
    public void Rules_with_member_range_phases_are_by_member_and_whole_population_phases_are_not()
    {
        var net = Net(2, [4, 6, 3]);
        Assert.True(PlasticFeedback<double>.Dendritic(net, Streams(1), [1, 1], [0, 0]).ByMember);
        Assert.True(new CoupledL2<double>(net, [0.1, 0.1]).ByMember);
        Assert.True(new ConnectivityMask<double>(net, Streams(2), [0.5, 0.5]).ByMember);
        Assert.True(new Backprop<double>(net).ByMember); // (it takes the feedback away again)
        Assert.False(new GradientNoise<double>(net, Streams(3), [0.1, 0.1]).ByMember);
    }
}
