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
