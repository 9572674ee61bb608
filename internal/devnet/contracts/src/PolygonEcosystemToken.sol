// SPDX-License-Identifier: MIT
pragma solidity ^0.8.17;

// Model of Polygon's POL token (0xPolygon/pol-token@fa3de37
// src/PolygonEcosystemToken.sol: an OpenZeppelin 4.9.2 ERC20Permit with
// AccessControlEnumerable) for the stakewallet devnet: the ERC-20 functions,
// events and OpenZeppelin 4.9 revert strings of the real token, its
// mint(address,uint256) restricted to the EMISSION_ROLE (here the deployer,
// with the AccessControl revert string), the Permit2 allowance and
// version(). Left out: permit, the role administration and the mint cap
// (MaxMintExceeded): the devnet's genesis mints the test accounts' POL.
contract PolygonEcosystemToken {
    error InvalidAddress();
    error MaxMintExceeded(uint256 maxMint, uint256 mintRequested);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    bytes32 public constant EMISSION_ROLE = keccak256("EMISSION_ROLE");
    address public constant PERMIT2 = 0x000000000022D473030F116dDEE9F6B43aC78BA3;
    bool public permit2Enabled = true;

    address private immutable emissionManager;
    uint256 private _totalSupply;
    mapping(address => uint256) private _balances;
    mapping(address => mapping(address => uint256)) private _allowances;

    constructor(address _emissionManager) {
        if (_emissionManager == address(0)) revert InvalidAddress();
        emissionManager = _emissionManager;
    }

    function name() external pure returns (string memory) { return "Polygon Ecosystem Token"; }
    function symbol() external pure returns (string memory) { return "POL"; }
    function decimals() external pure returns (uint8) { return 18; }
    function version() external pure returns (string memory) { return "1.1.0"; }
    function totalSupply() external view returns (uint256) { return _totalSupply; }
    function balanceOf(address account) external view returns (uint256) { return _balances[account]; }

    function allowance(address owner, address spender) public view returns (uint256) {
        if (spender == PERMIT2 && permit2Enabled) return type(uint256).max;
        return _allowances[owner][spender];
    }

    function mint(address to, uint256 amount) external {
        if (msg.sender != emissionManager) {
            revert(string(abi.encodePacked(
                "AccessControl: account ", _hex(uint256(uint160(msg.sender)), 20),
                " is missing role ", _hex(uint256(EMISSION_ROLE), 32)
            )));
        }
        require(to != address(0), "ERC20: mint to the zero address");
        _totalSupply += amount;
        _balances[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 value) external returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    function increaseAllowance(address spender, uint256 addedValue) external returns (bool) {
        _approve(msg.sender, spender, allowance(msg.sender, spender) + addedValue);
        return true;
    }

    function decreaseAllowance(address spender, uint256 subtractedValue) external returns (bool) {
        uint256 current = allowance(msg.sender, spender);
        require(current >= subtractedValue, "ERC20: decreased allowance below zero");
        _approve(msg.sender, spender, current - subtractedValue);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 current = allowance(from, msg.sender);
        if (current != type(uint256).max) {
            require(current >= value, "ERC20: insufficient allowance");
            _approve(from, msg.sender, current - value);
        }
        _transfer(from, to, value);
        return true;
    }

    function _approve(address owner, address spender, uint256 value) private {
        require(owner != address(0), "ERC20: approve from the zero address");
        require(spender != address(0), "ERC20: approve to the zero address");
        _allowances[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    function _transfer(address from, address to, uint256 value) private {
        require(from != address(0), "ERC20: transfer from the zero address");
        require(to != address(0), "ERC20: transfer to the zero address");
        uint256 bal = _balances[from];
        require(bal >= value, "ERC20: transfer amount exceeds balance");
        _balances[from] = bal - value;
        _balances[to] += value;
        emit Transfer(from, to, value);
    }

    // OpenZeppelin 4.9 Strings.toHexString(value, length).
    function _hex(uint256 value, uint256 length) private pure returns (string memory) {
        bytes16 symbols = "0123456789abcdef";
        bytes memory buffer = new bytes(2 * length + 2);
        buffer[0] = "0";
        buffer[1] = "x";
        for (uint256 i = 2 * length + 1; i > 1; --i) {
            buffer[i] = symbols[value & 0xf];
            value >>= 4;
        }
        return string(buffer);
    }
}
