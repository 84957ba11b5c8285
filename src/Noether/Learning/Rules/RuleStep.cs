using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// What a learning rule sees at one training step: the network (with its trace), the batch, the loss,
/// the optimiser and schedule (for the step size a plastic synapse shares with W), and the step index.
/// One instance is reused across steps.
/// </summary>
public sealed class RuleStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public RuleStep(Sequential<T> network, Loss<T> loss, Optimizer<T> optimizer, Schedule schedule, Tensor<T> inputs, Tensor<T> targets)
    {
        Network = network; Loss = loss; Optimizer = optimizer; Schedule = schedule; Inputs = inputs; Targets = targets;
    }

    public Sequential<T> Network { get; }
    public Loss<T> Loss { get; }
    public Optimizer<T> Optimizer { get; }
    public Schedule Schedule { get; }
    /// <summary>The batch inputs [P, B, ...] (input noise writes into it before the forward pass).</summary>
    public Tensor<T> Inputs { get; }
    public Tensor<T> Targets { get; }
    /// <summary>Index of the step being taken (0-based).</summary>
    public long Step { get; set; }

    /// <summary>
    /// The step size the optimiser will use for member p at this step (learning rate × schedule factor);
    /// computed the same way as the optimiser does, so a plastic synapse and W move by bitwise-equal steps.
    /// </summary>
    public double LearningRate(int member) => Optimizer.LearningRate[member] * Schedule.Factor(Step);
}
