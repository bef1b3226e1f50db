// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CreditCircuit} from "../generated/CreditCircuit.sol";

/// @title BabyJubjub
/// @notice The cheap checks of Baby Jubjub points (a·x² + y² = 1 + d·x²·y² over BN254's scalar
/// field): on the curve, and not of order 1 or 2 (x = 0). Subgroup membership needs a scalar
/// multiplication and is left to clients.
library BabyJubjub {
    /// @notice The field: BN254's scalar field.
    uint256 internal constant P = CreditCircuit.SNARK_SCALAR_FIELD;
    /// @notice Order of the prime-order subgroup.
    uint256 internal constant SUBGROUP_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041;
    uint256 private constant A = 168700;
    uint256 private constant D = 168696;

    /// @notice Whether `(x, y)` is on the curve with both coordinates below P and x != 0.
    function isValidPoint(uint256 x, uint256 y) internal pure returns (bool) {
        if (x == 0 || x >= P || y >= P) return false;
        uint256 x2 = mulmod(x, x, P);
        uint256 y2 = mulmod(y, y, P);
        return addmod(mulmod(A, x2, P), y2, P) == addmod(1, mulmod(mulmod(D, x2, P), y2, P), P);
    }
}
