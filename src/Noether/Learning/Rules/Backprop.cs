using System.Numerics;
using Noether.Nn;

namespace Noether.Learning.Rules;

/// <summary>Backpropagation: the error goes down through W_lᵀ, so the learning signal is −∇_W L. Clears any feedback matrix.</summary>
public sealed class Backprop<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Backprop(Sequential<T> network)
    {
        foreach (var layer in network.Linears) layer.Feedback = null;
    }

    public override string Name => "backprop";
}

/// <summary><c>rule=backprop</c>.</summary>
public sealed class BackpropDefinition : RuleDefinition
{
    public override string Name => "backprop";
    public override string Description => "backpropagation: the error goes down through Wᵀ";
    public override IEnumerable<LearningRule<T>> Build<T>(Sequential<T> network, MemberStreams streams, RuleSettings settings) => [new Backprop<T>(network)];
}
