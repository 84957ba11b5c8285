using Noether.Learning;
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
    // 10 members of 2048 float64 weights each (160 KB): worth splitting; the ranges hold 5 members each with 2 threads.
    private const int Members = 10;

    /// <summary>The rule stacks trained below, by name: every rule that has member-range phases, in the stacks experiments build.</summary>
    private static LearningRule<double>[] Rules(string name, Sequential<double> net)
    {
        double[] Each(double v) => Enumerable.Repeat(v, Members).ToArray();
        double[] c = [1, 1, 0.3, -1, 2, 1, 0.5, -0.5, 1, 3];
        var l2 = new CoupledL2<double>(net, Each(1e-3));
        return name switch
        {
            "dendritic" => [PlasticFeedback<double>.Dendritic(net, Streams(9), c, Each(1e-2)), l2],
            "dendritic+mask" => [PlasticFeedback<double>.Dendritic(net, Streams(9), c, Each(1e-2)), new ConnectivityMask<double>(net, Streams(4), Each(0.5), Each(0.7)), l2],
            // Noise on some members only (σ = 0 draws nothing), so each member's stream must stay its own.
            "noise" => [new InputNoise<double>(Members, Streams(5), [0.1, 0, 0.2, 0.1, 0, 0.3, 0.1, 0.1, 0, 0.2]),
                new ParameterNoise<double>(net, Streams(6), [0.05, 0.01, 0, 0.05, 0.02, 0, 0.05, 0.01, 0.03, 0.05]), new Backprop<double>(net),
                new GradientNoise<double>(net, Streams(7), [0.01, 0, 0.02, 0.01, 0.01, 0, 0.01, 0.03, 0.01, 0]), l2],
            "sign" => [new SignFeedback<double>(net), l2],
            "dfa" => [new DirectRandomFeedback<double>(net, Streams(8)), l2],
            "random-teacher" => [new RandomTeacher<double>(net, RandomTeacher<double>.BuildTeacher(Members, [16, 32, 16], "tanh", Streams(10), net.Compute)), new Backprop<double>(net), l2],
            "four-synapse" => [new CrossProjectionFeedback<double>(net, Streams(11), Each(1e-3), Each(1e-2), normalised: true), l2],
            "syre" => [new Backprop<double>(net), new SyreDecay<double>(new SyreRegularizer<double>(net.Parameters, Each(1e-3), Each(0.1), Each(0.2),
                Enumerable.Range(0, Members).Select(m => Stream(12, m, "syre")).ToArray()))],
            _ => throw new ArgumentException(name),
        };
    }

    private static (Sequential<double> Net, Tensor<double>? Feedback) Train(int threads, string rules, bool extraHook = false, List<double>? observed = null, double[]? losses = null)
    {
        var net = Net(Members, [16, 64, 64, 16], bias: rules != "dendritic" && rules != "dendritic+mask");
        net.Compute = new Compute(threads);
        var t = Trainer(net, RandomData(Members, 128, 16, 16), 0.05, 32);
        var stack = new RuleStack<double>(Rules(rules, net));
        Assert.True(stack.ByMember);
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
        return (net, net.Linears.Last().Feedback);
    }

    [Theory]
    [InlineData("dendritic", false), InlineData("dendritic+mask", false), InlineData("dendritic", true), InlineData("dendritic+mask", true)]
    [InlineData("noise", false), InlineData("noise", true), InlineData("sign", false), InlineData("sign", true), InlineData("dfa", false), InlineData("dfa", true)]
    [InlineData("random-teacher", false), InlineData("random-teacher", true), InlineData("four-synapse", false), InlineData("four-synapse", true)]
    [InlineData("syre", false), InlineData("syre", true)]
    public void Member_by_member_phases_on_two_threads_equal_one_thread_phase_by_phase(string rules, bool extraHook)
    {
        var (seenA, seenB) = (new List<double>(), new List<double>());
        var (lossA, lossB) = (new double[12], new double[12]);
        var (a, fa) = Train(1, rules, extraHook: true, seenA, lossA);
        var (b, fb) = Train(2, rules, extraHook, seenB, lossB);
        AssertSameParameters(a, b);
        Assert.Equal(fa?.Span.ToArray(), fb?.Span.ToArray());
        Assert.Equal(seenA, seenB);
        Assert.Equal(lossA, lossB);
        Assert.All(lossA, l => Assert.True(double.IsFinite(l)));
    }

    [Fact]
    public void Rules_with_member_range_phases_are_by_member_and_whole_population_phases_are_not()
    {
        var net = Net(2, [4, 6, 3]);
        Assert.True(PlasticFeedback<double>.Dendritic(net, Streams(1), [1, 1], [0, 0]).ByMember);
        Assert.True(new CoupledL2<double>(net, [0.1, 0.1]).ByMember);
        Assert.True(new ConnectivityMask<double>(net, Streams(2), [0.5, 0.5]).ByMember);
        Assert.True(new Backprop<double>(net).ByMember); // (it takes the feedback away again)
        Assert.True(new GradientNoise<double>(net, Streams(3), [0.1, 0.1]).ByMember);
        Assert.True(new DirectRandomFeedback<double>(net, Streams(4)).ByMember);
        Assert.True(new RandomTeacher<double>(net, RandomTeacher<double>.BuildTeacher(2, [4, 5, 3], "tanh", Streams(5))).ByMember);
        // A single network has no member passes, so its random teacher runs over the whole population.
        var single = Net(1, [4, 6, 3]);
        Assert.False(new RandomTeacher<double>(single, RandomTeacher<double>.BuildTeacher(1, [4, 5, 3], "tanh", Streams(5))).ByMember);
        Assert.False(new WholePopulationRule(net).ByMember);
    }

    /// <summary>A rule that overrides a whole-population phase.</summary>
    private sealed class WholePopulationRule(Sequential<double> net) : LearningRule<double>
    {
        public override string Name => "whole";
        public override void BeforeStep(RuleStep<double> step) => net.Parameters[0].Grad.Clear();
    }
}
