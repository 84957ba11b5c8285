using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;
using Xunit;
using static Noether.Tests.Learning.RuleFixture;

namespace Noether.Tests.Learning;

/// <summary>
/// A stack whose rules all work member by member runs inside the member ranges of the step (two hand-offs around the
/// signal observers) or, with other hooks beside it, phase by phase with its middle phases split by member: either way
/// the same weights, feedback, losses and observed signals, bit for bit, as phase by phase on one thread. A rule with a
/// whole-population phase is not by member.
/// </summary>
public class RuleStackThreadTests
{
    private static (Sequential<double> Net, Tensor<double> Feedback) Train(int threads, bool mask, bool extraHook = false, List<double>? observed = null, double[]? losses = null)
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
        var stack = new RuleStack<double>(rules);
        t.Use(stack);
        // An observer sees every member's signal (the first layer's gradient before the decay) at every step.
        if (observed is not null) stack.SignalObservers.Add(st => observed.AddRange(st.Network.Linears.First().Weight.Grad.ReadOnlySpan.ToArray()));
        // A hook that does nothing keeps the step phase by phase (the stack's hooks are no longer the only ones).
        if (extraHook) t.AfterUpdate.Add(_ => { });
        for (int s = 0; s < 12; s++)
        {
            t.StepOnce();
            losses?.SetValue(t.LastLoss.Sum(), s);
        }
        return (net, net.Linears.Last().Feedback!);
    }

    [Theory, InlineData(false, false), InlineData(true, false), InlineData(false, true), InlineData(true, true)]
    public void Member_by_member_phases_on_two_threads_equal_one_thread_phase_by_phase(bool mask, bool extraHook)
    {
        var (seenA, seenB) = (new List<double>(), new List<double>());
        var (lossA, lossB) = (new double[12], new double[12]);
        var (a, fa) = Train(1, mask, extraHook: true, seenA, lossA);
        var (b, fb) = Train(2, mask, extraHook, seenB, lossB);
        AssertSameParameters(a, b);
        Assert.Equal(fa.Span.ToArray(), fb.Span.ToArray());
        Assert.Equal(seenA, seenB);
        Assert.Equal(lossA, lossB);
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
