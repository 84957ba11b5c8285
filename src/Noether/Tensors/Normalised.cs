namespace Noether.Tensors;

/// <summary>
/// The quotient of a normalised measure (a cosine, a correlation, a relative norm): 0 when the normalising denominator is zero
/// or negative (nothing to compare), NaN when it is NaN. A diverged member's parameters are NaN (Training.Trainer), so its
/// measures read NaN rather than a 0 that looks like a measured "unaligned".
/// </summary>
public static class Normalised
{
    public static double Quotient(double numerator, double denominator) =>
        denominator > 0 ? numerator / denominator : double.IsNaN(denominator) ? double.NaN : 0.0;

    /// <summary>numerator / √squaredDenominator, with <see cref="Quotient"/>'s rules for a zero, negative or NaN denominator.</summary>
    public static double OverRoot(double numerator, double squaredDenominator) =>
        Quotient(numerator, Math.Sqrt(Math.Max(squaredDenominator, 0.0)));
}
