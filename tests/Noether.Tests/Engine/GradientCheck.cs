using Noether.Nn;
using Noether.Tensors;

namespace Noether.Tests.Engine;

/// <summary>Central finite differences in float64 against a layer's or network's analytic backward.</summary>
public static class GradientCheck
{
    public const double Eps = 1e-5;

    /// <summary>Relative error ‖a − n‖ / max(‖a‖, ‖n‖, 1e-12) between two gradient vectors.</summary>
    public static double RelativeError(ReadOnlySpan<double> analytic, ReadOnlySpan<double> numeric)
    {
        double diff = 0, na = 0, nn = 0;
        for (int i = 0; i < analytic.Length; i++)
        {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            na += analytic[i] * analytic[i];
            nn += numeric[i] * numeric[i];
        }
        return Math.Sqrt(diff) / Math.Max(Math.Max(Math.Sqrt(na), Math.Sqrt(nn)), 1e-12);
    }

    /// <summary>
    /// Checks one layer with the scalar probe loss L = Σ R ⊙ y for a random R: returns the worst relative
    /// error over ∂L/∂x and every parameter gradient.
    /// </summary>
    public static double Layer(Layer<double> layer, Tensor<double> x, Rng rng)
    {
        var outShape = layer.OutputShape(x.Shape[2..]);
        int[] full = [x.Shape[0], x.Shape[1], .. outShape];
        var y = new Tensor<double>(full);
        var r = new Tensor<double>(full);
        rng.FillNormal(r.Span, 0, 1);
        double Loss()
        {
            layer.Forward(x, y, Compute.Serial);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += y[i] * r[i];
            return s;
        }
        Loss();
        var dx = new Tensor<double>(x.Shape);
        layer.Backward(x, y, r, dx, Compute.Serial);
        double worst = RelativeError(dx.Span, Numeric(x, Loss));
        foreach (var p in layer.Parameters)
        {
            var analytic = p.Grad.Span.ToArray();
            worst = Math.Max(worst, RelativeError(analytic, Numeric(p.Value, Loss)));
        }
        return worst;
    }

    /// <summary>Checks a whole network with a loss against targets: worst relative error over all parameters.</summary>
    public static double Network(Sequential<double> net, Loss<double> loss, Tensor<double> x, Tensor<double> target)
    {
        var lossBuf = new double[net.Members];
        double Total()
        {
            var y = net.Forward(x);
            loss.Evaluate(y, target, lossBuf, null);
            return lossBuf.Sum();
        }
        var output = net.Forward(x);
        var grad = net.OutputGradientBuffer(x.Shape[1]);
        loss.Evaluate(output, target, lossBuf, grad);
        net.Backward(grad);
        var analytic = net.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();
        double worst = 0;
        int i = 0;
        foreach (var p in net.Parameters)
            worst = Math.Max(worst, RelativeError(analytic[i++], Numeric(p.Value, Total)));
        return worst;
    }

    public static double[] Numeric(Tensor<double> values, Func<double> f)
    {
        var g = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            values[i] = v + Eps; double up = f();
            values[i] = v - Eps; double down = f();
            values[i] = v;
            g[i] = (up - down) / (2 * Eps);
        }
        return g;
    }

    /// <summary>Random values bounded away from 0 so ReLU-type kinks are not straddled by ±Eps.</summary>
    public static Tensor<double> AwayFromZero(int[] shape, Rng rng)
    {
        var t = new Tensor<double>(shape);
        for (int i = 0; i < t.Length; i++)
        {
            double v;
            do { v = rng.Normal(); } while (Math.Abs(v) < 1e-2);
            t[i] = v;
        }
        return t;
    }
}
