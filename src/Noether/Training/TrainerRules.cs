using System.Numerics;
using Noether.Learning.Rules;

namespace Noether.Training;

/// <summary>Plugs a learning-rule stack into a trainer's hooks.</summary>
public static class TrainerRules
{
    /// <summary>
    /// Runs <paramref name="rules"/> in every step of <paramref name="trainer"/>: BeforeForward before the
    /// forward pass, FormSignal/observers/BeforeStep after backward, AfterUpdate after the optimiser step.
    /// Returns the step view the rules see (its Step follows the trainer's).
    /// </summary>
    public static RuleStep<T> Use<T>(this Trainer<T> trainer, RuleStack<T> rules) where T : unmanaged, IFloatingPointIeee754<T> =>
        trainer.Plug(rules);
}
