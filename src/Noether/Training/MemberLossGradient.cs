using Noether.Nn;
using Noether.Tensors;

namespace Noether.Training;

/// <summary>
/// The full-data training-loss gradient of one population member as a function of its flattened
/// parameters, θ ↦ ∇L(θ): the form the sharpness probes take (<see cref="Probes.Sharpness"/>).
/// It evaluates on a separate one-member network of the same architecture, so the population being
/// trained is never touched. θ is the member's parameters in <see cref="Sequential{T}.Parameters"/> order.
/// </summary>
public sealed class MemberLossGradient
{
    private readonly Sequential<double> _single;
    private readonly Loss<double> _loss;
    private readonly Tensor<double> _x, _y;
    private readonly double[] _lossBuffer = new double[1];

    /// <param name="single">A one-member network with the architecture of the population (its values are overwritten).</param>
    /// <param name="loss">The training loss.</param>
    /// <param name="data">The population's training data.</param>
    /// <param name="member">Whose data to use (ignored when the data are shared by all members).</param>
    public MemberLossGradient(Sequential<double> single, Loss<double> loss, TrainingData<double> data, int member)
    {
        if (single.Members != 1) throw new ArgumentException($"MemberLossGradient: the evaluation network must have one member, it has {single.Members}");
        _single = single; _loss = loss;
        int n = data.Count;
        _x = new Tensor<double>([1, n, .. single.InputShape]);
        _y = new Tensor<double>([1, n, .. single.OutputShape]);
        data.MemberInputs(member).CopyTo(_x.Span);
        data.MemberTargets(member).CopyTo(_y.Span);
        Count = _single.Parameters.Sum(p => p.MemberLength);
    }

    /// <summary>Number of parameters of one member (the length of θ).</summary>
    public int Count { get; }

    /// <summary>Member <paramref name="member"/>'s parameters of <paramref name="population"/>, flattened.</summary>
    public static double[] Flatten(Sequential<double> population, int member)
    {
        var theta = new double[population.Parameters.Sum(p => p.MemberLength)];
        int at = 0;
        foreach (var p in population.Parameters)
        {
            p.Value.SliceSpan(member).CopyTo(theta.AsSpan(at));
            at += p.MemberLength;
        }
        return theta;
    }

    /// <summary>The training loss at θ (no gradient).</summary>
    public double Loss(double[] theta)
    {
        Load(theta);
        _loss.Evaluate(_single.Forward(_x), _y, _lossBuffer, null);
        return _lossBuffer[0];
    }

    /// <summary>∇L(θ) over the member's whole training set.</summary>
    public double[] Gradient(double[] theta)
    {
        Load(theta);
        var output = _single.Forward(_x);
        var grad = _single.OutputGradientBuffer(_x.Shape[1]);
        _loss.Evaluate(output, _y, _lossBuffer, grad);
        _single.Backward(grad);
        var result = new double[Count];
        int at = 0;
        foreach (var p in _single.Parameters)
        {
            p.Grad.ReadOnlySpan.CopyTo(result.AsSpan(at));
            at += p.MemberLength;
        }
        return result;
    }

    private void Load(double[] theta)
    {
        if (theta.Length != Count) throw new ShapeMismatchException($"MemberLossGradient: θ has {theta.Length} entries, the network {Count} parameters");
        int at = 0;
        foreach (var p in _single.Parameters)
        {
            theta.AsSpan(at, p.MemberLength).CopyTo(p.Value.Span);
            at += p.MemberLength;
        }
    }
}
