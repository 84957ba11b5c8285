using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Training;

/// <summary>
/// A population evaluated sample by sample on data shared by every member, without training: per member and
/// sample, the squared error averaged over the output values, and the outputs themselves (a decoder's images,
/// docs/experiments/compositional.md#claims-checked). Forward passes go in chunks of 128 samples, so the activations of
/// a large set never have to fit at once.
/// </summary>
public static class PerSampleMse
{
    private const int Chunk = 128;

    /// <param name="net">the population.</param>
    /// <param name="inputs">[N, in], the same for every member.</param>
    /// <param name="targets">[N, out], the same for every member.</param>
    /// <returns>Mse[member][sample] and Outputs[member][sample·out + k].</returns>
    public static (double[][] Mse, T[][] Outputs) Evaluate<T>(Sequential<T> net, Tensor<T> inputs, Tensor<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = net.Members, n = inputs.Shape[0], width = inputs.Shape[1], px = targets.Shape[1];
        var result = new double[p][];
        var outputs = new T[p][];
        for (int m = 0; m < p; m++) { result[m] = new double[n]; outputs[m] = new T[n * px]; }
        for (int start = 0; start < n; start += Chunk)
        {
            int count = Math.Min(Chunk, n - start);
            var x = new Tensor<T>(p, count, width);
            for (int m = 0; m < p; m++) inputs.ReadOnlySpan.Slice(start * width, count * width).CopyTo(x.SliceSpan(m));
            var y = net.Forward(x);
            for (int m = 0; m < p; m++)
            {
                var ym = y.SliceSpan(m);
                ym.CopyTo(outputs[m].AsSpan(start * px, count * px));
                for (int i = 0; i < count; i++)
                {
                    double s = 0;
                    var target = targets.ReadOnlySpan.Slice((start + i) * px, px);
                    for (int k = 0; k < px; k++) { double d = double.CreateChecked(ym[i * px + k] - target[k]); s += d * d; }
                    result[m][start + i] = s / px;
                }
            }
        }
        return (result, outputs);
    }
}
