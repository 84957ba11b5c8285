using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// The "Random NN" rule of the Hebbian paper (docs/rules.md#random-teacher; the project's reading): the network learns from the
/// pseudo-error of a fixed, randomly initialised network of the same input and output shape, i.e. the
/// loss's gradient toward f_rand(x) instead of the task target. It learns nothing about the task, yet its
/// weights stay bounded, so it is the non-learning control of the Hebbian experiments. It replaces the
/// output error and re-runs the backward pass, so it must come first among the rules that form the signal;
/// the error is then routed down by whichever routing rule follows (backprop by default).
/// </summary>
public sealed class RandomTeacher<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Sequential<T> _network;
    private Tensor<T>? _grad;
    // The teacher's output buffer for the step's batch (BeginStep), filled member range by member range.
    private Tensor<T>? _target;

    public RandomTeacher(Sequential<T> network, Sequential<T> teacher)
    {
        if (!teacher.InputShape.AsSpan().SequenceEqual(network.InputShape) || !teacher.OutputShape.AsSpan().SequenceEqual(network.OutputShape))
            throw new ShapeMismatchException($"RandomTeacher: teacher maps {Tensor<T>.ShapeText(teacher.InputShape)}→{Tensor<T>.ShapeText(teacher.OutputShape)}, the network {Tensor<T>.ShapeText(network.InputShape)}→{Tensor<T>.ShapeText(network.OutputShape)}");
        if (teacher.Members != network.Members) throw new ArgumentException($"RandomTeacher: teacher has {teacher.Members} members, the network {network.Members}");
        _network = network;
        Teacher = teacher;
        PseudoLoss = new double[network.Members];
    }

    /// <summary>
    /// A fixed random MLP (no biases, N(0, 1/fan_in) weights, the calibration notes' "fresh 16→64(tanh)→16 net"),
    /// member p drawn from its stream "rule.random-teacher".
    /// </summary>
    public static Sequential<T> BuildTeacher(int members, IReadOnlyList<int> widths, string activation, MemberStreams streams, Compute? compute = null)
    {
        var net = Mlp.Build<T>(members, widths, activation, bias: false, compute: compute);
        net.Initialize(InitScheme.LeCun, Enumerable.Range(0, members).Select(p => streams(p, "rule.random-teacher")).ToArray());
        return net;
    }

    public override string Name => "random-teacher";
    public Sequential<T> Teacher { get; }
    /// <summary>Loss against the random teacher's outputs at the last step, per member.</summary>
    public double[] PseudoLoss { get; }

    /// <summary>
    /// Member by member when both networks run member range by member range (MLPs of several members): the teacher's
    /// forward pass, the pseudo-loss and the re-run backward pass of a member range then run on that range's thread.
    /// </summary>
    public override bool ByMember => _network.HasMemberPasses && Teacher.HasMemberPasses;

    /// <summary>Makes the step's batch the teacher's input, for the member ranges that follow.</summary>
    public override void BeginStep(RuleStep<T> step)
    {
        if (ByMember) _target = Teacher.BeginMembers(step.Inputs);
    }

    public override void FormSignal(RuleStep<T> step)
    {
        if (ByMember) { FormSignalMembers(step, 0, _network.Members); return; }
        var target = Teacher.Forward(step.Inputs);
        var output = _network.Activation(_network.Layers.Count);
        if (_grad is null || !_grad.SameShape(output)) _grad = new Tensor<T>(output.Shape);
        step.Loss.Evaluate(output, target, PseudoLoss, _grad);
        _network.Backward(_grad);
    }

    /// <summary>The teacher's outputs for members [first, last), the pseudo-error toward them, and the backward pass of those members from it.</summary>
    public override void FormSignalMembers(RuleStep<T> step, int first, int last)
    {
        var target = _target ?? throw new InvalidOperationException("RandomTeacher: FormSignalMembers before BeginStep");
        Teacher.ForwardMembers(first, last);
        var output = _network.Activation(_network.Layers.Count);
        step.Loss.EvaluateMembers(output, target, PseudoLoss, _network.OutputGradientBuffer(output.Shape[1]), first, last);
        _network.BackwardMembers(first, last);
    }
}

/// <summary><c>rule=random-teacher</c>: the pseudo-error toward a fixed random in → hidden (tanh) → out network, backpropagated.</summary>
public sealed class RandomTeacherDefinition : RuleDefinition
{
    public override string Name => "random-teacher";
    public override string Description => "pseudo-error toward a fixed random network, backpropagated (docs/rules.md)";
    public override IEnumerable<LearningRule<T>> Build<T>(Sequential<T> network, MemberStreams streams, RuleSettings settings)
    {
        int[] widths = [network.InputShape.Aggregate(1, (a, b) => a * b), settings.TeacherHidden, network.OutputShape.Aggregate(1, (a, b) => a * b)];
        return [new RandomTeacher<T>(network, RandomTeacher<T>.BuildTeacher(network.Members, widths, "tanh", streams, network.Compute)), new Backprop<T>(network)];
    }
}
