using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// Coupled L2 decay (docs/rules.md#coupled-l2-decay), W ← W + η(g − λW): adds λ·W to each weight's gradient (per member)
/// after the learning signal is formed. λ is the coefficient of W in the update (the γ of docs/experiments/hebbian.md#claim),
/// i.e. the optimiser's wd convention. Weights only unless <c>includeNonWeights</c>.
/// </summary>
public sealed class CoupledL2<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;

    public CoupledL2(Sequential<T> network, double[] lambda, bool includeNonWeights = false)
    {
        _parameters = network.Parameters.Where(p => includeNonWeights || p.Role == ParameterRole.Weight).ToArray();
        Lambda = FeedbackLayers.PerMember(lambda, 0, network.Members, "CoupledL2 lambda");
    }

    public override string Name => "l2";
    /// <summary>λ per member.</summary>
    public double[] Lambda { get; }

    public override void BeforeStepMembers(RuleStep<T> step, int first, int last)
    {
        foreach (var prm in _parameters)
            for (int p = first; p < last; p++)
            {
                if (Lambda[p] == 0) continue;
                RowOps.AddScaled(prm.Grad.SliceSpan(p), prm.Value.SliceSpan(p), T.CreateChecked(Lambda[p]));
            }
    }
}
