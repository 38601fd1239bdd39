//! Derivative-free minimisation by the Nelder–Mead simplex.
//!
//! The variant of Nash (1990, *Compact Numerical Methods for Computers*, 2nd ed.,
//! Algorithm 19): reflection 1, contraction ½, expansion 2, an initial simplex with a step of
//! one tenth of the largest coordinate, and a stop when the spread of the function values is
//! within a relative tolerance. It is the variant used by R's `optim` default, so a fit that
//! follows MapMark4 (Ellefsen 2017) takes the same path.

/// The result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The best point found.
    pub point: Vec<f64>,
    /// The function value there.
    pub value: f64,
    /// Number of function evaluations.
    pub evaluations: usize,
    /// Whether the tolerance was met before the evaluation budget ran out.
    pub converged: bool,
}

/// Minimises `f` from `start` (non-finite values count as very large).
pub fn minimise(
    mut f: impl FnMut(&[f64]) -> f64,
    start: &[f64],
    relative_tolerance: f64,
    max_evaluations: usize,
) -> Minimum {
    const BIG: f64 = 1.0e35;
    const REFLECT: f64 = 1.0;
    const CONTRACT: f64 = 0.5;
    const EXPAND: f64 = 2.0;
    let n = start.len();
    let mut eval = |x: &[f64], count: &mut usize| {
        *count += 1;
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            BIG
        }
    };
    let mut evaluations = 0;
    // vertices[j] is a point, values[j] its function value.
    let mut vertices = vec![start.to_vec(); n + 1];
    let mut values = vec![0.0; n + 1];
    values[0] = eval(start, &mut evaluations);
    let tolerance = relative_tolerance * (values[0].abs() + relative_tolerance);
    let mut step = start.iter().fold(0.0f64, |m, x| m.max(0.1 * x.abs()));
    if step == 0.0 {
        step = 0.1;
    }
    let mut size = 0.0;
    for j in 1..=n {
        let mut trial = step;
        while vertices[j][j - 1] == start[j - 1] {
            vertices[j][j - 1] = start[j - 1] + trial;
            trial *= 10.0;
        }
        size += trial;
    }
    let mut old_size = size;
    let mut lowest = 0usize;
    let mut recompute = true;
    let mut converged = false;
    loop {
        if recompute {
            for j in 0..=n {
                if j != lowest {
                    values[j] = eval(&vertices[j].clone(), &mut evaluations);
                }
            }
            recompute = false;
        }
        let mut low_value = values[lowest];
        let mut high_value = low_value;
        let mut highest = lowest;
        let first_lowest = lowest;
        for (j, &value) in values.iter().enumerate() {
            if j != first_lowest {
                if value < low_value {
                    lowest = j;
                    low_value = value;
                }
                if value > high_value {
                    highest = j;
                    high_value = value;
                }
            }
        }
        if high_value <= low_value + tolerance || low_value <= f64::NEG_INFINITY {
            converged = true;
            break;
        }
        if evaluations > max_evaluations {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|i| {
                let sum: f64 = (0..=n).map(|j| vertices[j][i]).sum();
                (sum - vertices[highest][i]) / n as f64
            })
            .collect();
        let reflected: Vec<f64> = (0..n)
            .map(|i| (1.0 + REFLECT) * centroid[i] - REFLECT * vertices[highest][i])
            .collect();
        let reflected_value = eval(&reflected, &mut evaluations);
        if reflected_value < low_value {
            let expanded: Vec<f64> = (0..n)
                .map(|i| EXPAND * reflected[i] + (1.0 - EXPAND) * centroid[i])
                .collect();
            let expanded_value = eval(&expanded, &mut evaluations);
            if expanded_value < reflected_value {
                vertices[highest] = expanded;
                values[highest] = expanded_value;
            } else {
                vertices[highest] = reflected;
                values[highest] = reflected_value;
            }
        } else {
            if reflected_value < high_value {
                vertices[highest] = reflected;
                values[highest] = reflected_value;
            }
            let contracted: Vec<f64> = (0..n)
                .map(|i| (1.0 - CONTRACT) * vertices[highest][i] + CONTRACT * centroid[i])
                .collect();
            let contracted_value = eval(&contracted, &mut evaluations);
            if contracted_value < values[highest] {
                vertices[highest] = contracted;
                values[highest] = contracted_value;
            } else if reflected_value >= high_value {
                // Shrink towards the lowest vertex.
                recompute = true;
                size = 0.0;
                let low_point = vertices[lowest].clone();
                for (j, vertex) in vertices.iter_mut().enumerate() {
                    if j != lowest {
                        for i in 0..n {
                            vertex[i] = CONTRACT * (vertex[i] - low_point[i]) + low_point[i];
                            size += (vertex[i] - low_point[i]).abs();
                        }
                    }
                }
                if size < old_size {
                    old_size = size;
                } else {
                    break;
                }
            }
        }
    }
    Minimum {
        point: vertices[lowest].clone(),
        value: values[lowest],
        evaluations,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let rosen = |x: &[f64]| 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
        let m = minimise(rosen, &[-1.2, 1.0], 1e-12, 5000);
        assert!(m.converged);
        assert!((m.point[0] - 1.0).abs() < 1e-3, "{:?}", m);
        assert!((m.point[1] - 1.0).abs() < 2e-3, "{:?}", m);
    }

    #[test]
    fn flat_function_stops_at_the_start() {
        let m = minimise(|_| 3.0, &[0.5, 2.0], 1.5e-8, 500);
        assert!(m.converged);
        assert_eq!(m.point, vec![0.5, 2.0]);
    }
}
