using System.Numerics;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>How far a trajectory's rescaling charge moved and how exactly the step identity predicted it.</summary>
/// <param name="Drift">C_T − C_0 with C = ‖W‖² − ‖U‖².</param>
/// <param name="ScalarError">|C_T − Ĉ_T| / max(|C_0|, |C_T|, 1), Ĉ the identity's prediction.</param>
/// <param name="MatrixError">max_ij |Q_T − Q̂_T| / max(max|Q_0|, max|Q_T|, 1) for Q = WWᵀ − UᵀU.</param>
public sealed record ChargeDriftResult(double Drift, double ScalarError, double MatrixError);

/// <summary>
/// Follows the rescaling charge of a two-layer linear net f = UWx (first and last Linear of the network) along a
/// training run, step by step, against the exact discrete identity (docs/experiments/noise-equilibrium.md#charge-identity):
/// C_{t+1} = (1 − η·wd)² C_t + η²(‖G_W‖² − ‖G_U‖²) and the matrix form with WWᵀ − UᵀU and G_W G_Wᵀ − G_Uᵀ G_U,
/// where G are the gradients the optimiser is about to apply and wd the optimiser's coupled decay (2γ).
/// Valid for plain SGD without momentum and without other gradient hooks after this one.
/// </summary>
public sealed class DiscreteChargeDrift<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Trainer<T> _trainer;
    private readonly Linear<T> _w, _u;
    private readonly double[] _c0, _predicted;
    private readonly Tensor<double>[] _q0, _predictedQ;

    private DiscreteChargeDrift(Trainer<T> trainer)
    {
        _trainer = trainer;
        _w = trainer.Network.Linears.First();
        _u = trainer.Network.Linears.Last();
        int p = trainer.Network.Members;
        _c0 = new double[p]; _predicted = new double[p];
        _q0 = new Tensor<double>[p]; _predictedQ = new Tensor<double>[p];
        for (int m = 0; m < p; m++)
        {
            var (w, u) = (MemberSlice.ToDouble(_w.Weight.Value, m), MemberSlice.ToDouble(_u.Weight.Value, m));
            _c0[m] = _predicted[m] = SymmetryCharge.RescalingCharge(w.ReadOnlySpan, u.ReadOnlySpan);
            _q0[m] = SymmetryCharge.TwoLayerChargeMatrix(w, u);
            _predictedQ[m] = _q0[m].Clone();
        }
    }

    /// <summary>Starts following the charge from the trainer's current parameters; registers an AfterBackward hook.</summary>
    public static DiscreteChargeDrift<T> Attach(Trainer<T> trainer)
    {
        var drift = new DiscreteChargeDrift<T>(trainer);
        trainer.AfterBackward.Add(_ => drift.Advance());
        return drift;
    }

    private void Advance()
    {
        var opt = _trainer.Optimizer;
        double factor = _trainer.Schedule.Factor(_trainer.Step);
        for (int m = 0; m < _c0.Length; m++)
        {
            double eta = opt.LearningRate[m] * factor;
            double shrink = (1 - eta * opt.WeightDecay[m]) * (1 - eta * opt.WeightDecay[m]);
            var (gw, gu) = (MemberSlice.ToDouble(_w.Weight.Grad, m), MemberSlice.ToDouble(_u.Weight.Grad, m));
            _predicted[m] = shrink * _predicted[m] + eta * eta * SymmetryCharge.RescalingCharge(gw.ReadOnlySpan, gu.ReadOnlySpan);
            var noise = SymmetryCharge.TwoLayerChargeMatrix(gw, gu);
            var q = _predictedQ[m].Span;
            for (int i = 0; i < q.Length; i++) q[i] = shrink * q[i] + eta * eta * noise[i];
        }
    }

    /// <summary>The drift so far and the identity's errors for member <paramref name="member"/>.</summary>
    public ChargeDriftResult Result(int member)
    {
        var (w, u) = (MemberSlice.ToDouble(_w.Weight.Value, member), MemberSlice.ToDouble(_u.Weight.Value, member));
        double c = SymmetryCharge.RescalingCharge(w.ReadOnlySpan, u.ReadOnlySpan);
        var q = SymmetryCharge.TwoLayerChargeMatrix(w, u);
        double scalarError = Math.Abs(c - _predicted[member]) / Math.Max(1, Math.Max(Math.Abs(_c0[member]), Math.Abs(c)));
        double qScale = 1, qError = 0;
        for (int i = 0; i < q.Length; i++)
        {
            qScale = Math.Max(qScale, Math.Max(Math.Abs(q[i]), Math.Abs(_q0[member][i])));
            qError = Math.Max(qError, Math.Abs(q[i] - _predictedQ[member][i]));
        }
        return new ChargeDriftResult(c - _c0[member], scalarError, qError / qScale);
    }
}
